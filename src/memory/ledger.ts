import type { EventLog, Item } from "../core/index.js";

/**
 * Provenance labels a table-reading tool puts on its result items. The ledger reads these and
 * nothing else: what a message says about itself (or what the query asked for) never counts.
 */
export const SOURCE_LABEL = "source:";
export const ROW_LABEL = "row:";
export const COLUMN_LABEL = "column:";
/** Set by the runtime on a replacement that carries aggregates instead of the withheld content. */
export const VAGUE_LABEL = "vague";

export interface TableRef {
  owner: string;
  table: string;
}

export function tableKey(ref: TableRef): string {
  return `${ref.owner}/${ref.table}`;
}

export function sourceLabel(ref: TableRef): string {
  return `${SOURCE_LABEL}${tableKey(ref)}`;
}

export function rowLabel(ref: TableRef, rowIndex: number): string {
  return `${ROW_LABEL}${tableKey(ref)}/${rowIndex}`;
}

export function columnLabel(ref: TableRef, column: string): string {
  return `${COLUMN_LABEL}${tableKey(ref)}/${column}`;
}

/**
 * What an item carries from one table. `rows` means cell values reached the holder; `vague` means
 * only an aggregate made from the table did (row count, column names), which does not disclose it.
 */
export interface TableDisclosure extends TableRef {
  level: "rows" | "vague";
  /** Row indices (into the owner's table) whose values were carried; empty for vague. */
  rows: number[];
  /** Columns whose values were carried; empty for vague. */
  columns: string[];
}

/** Table key -> what was carried. */
export type Disclosure = Map<string, TableDisclosure>;

interface MutableDisclosure extends TableRef {
  level: "rows" | "vague";
  rows: Set<number>;
  columns: Set<string>;
}

/**
 * The disclosure ledger: which tables (and which rows and columns of them) reached which agent,
 * computed from provenance. An item carries a table when a tool result labelled with the table's
 * source is among its ancestors, so an answer forwarded by a peer, or a table handed over in
 * pieces, is counted exactly like a direct answer. Walking stops being "rows" below a vague
 * replacement: what it hands on is an aggregate, not the rows it was computed from.
 *
 * The log is append-only, so what an item carries never changes and is cached per item.
 */
export class DisclosureLedger {
  private readonly cache = new Map<string, Map<string, MutableDisclosure>>();
  private readonly held = new Map<string, { count: number; acc: Map<string, MutableDisclosure> }>();
  /** The end of the queue of exclusive sections (see `exclusive`). */
  private tail: Promise<unknown> = Promise.resolve();

  constructor(readonly log: EventLog) {}

  /**
   * Runs `section` alone: sections on one ledger run one after another, in call order. A guard
   * check and the delivery it allows form one section, so parallel branches of a superstep cannot
   * both be checked against the holdings before either delivered (each would see "1 of 2", and
   * the recipient would end with 2 of 2); they are checked as if sent in sequence.
   */
  exclusive<T>(section: () => Promise<T>): Promise<T> {
    const run = this.tail.then(section, section);
    this.tail = run.then(
      () => undefined,
      () => undefined,
    );
    return run;
  }

  /** What the given item carries (itself and its ancestors). */
  carriedByItem(itemId: string): Disclosure {
    return freeze(this.carried(itemId));
  }

  /**
   * What a draft that is not in the log yet would carry: its own labels plus its parents'.
   * Guards call this before the draft is delivered.
   */
  carriedByDraft(draft: Pick<Item, "labels" | "derivedFrom">): Disclosure {
    return freeze(this.combine(draft.labels, draft.derivedFrom));
  }

  /**
   * Everything that reached an agent in a run: items it was handed or authored (its own tool
   * results included). `from` restricts to items authored by one agent, e.g. one defender's
   * exchanges with the asker.
   */
  heldBy(runId: string, agent: string, options: { from?: string; uptoStep?: number } = {}): Disclosure {
    if (options.uptoStep !== undefined) {
      const out = new Map<string, MutableDisclosure>();
      for (const entry of this.log.seenBy(runId, agent, options.uptoStep)) {
        if (options.from !== undefined && entry.item.author !== options.from) continue;
        mergeInto(out, this.carried(entry.item.id));
      }
      return freeze(out);
    }
    // What an agent holds only grows (the log is append-only and merging is a union), so the
    // holding is kept per agent and only what reached it since the last call is merged in.
    const key = `${runId}\u0000${agent}\u0000${options.from ?? ""}`;
    let held = this.held.get(key);
    if (!held) {
      held = { count: 0, acc: new Map() };
      this.held.set(key, held);
    }
    const fresh = this.log.seenSince(runId, agent, held.count);
    held.count += fresh.length;
    for (const entry of fresh) {
      if (options.from !== undefined && entry.item.author !== options.from) continue;
      mergeInto(held.acc, this.carried(entry.item.id));
    }
    return freeze(held.acc);
  }

  private carried(itemId: string): Map<string, MutableDisclosure> {
    const hit = this.cache.get(itemId);
    if (hit) return hit;
    const item = this.log.mustGet(itemId);
    const result = this.combine(item.labels, item.derivedFrom);
    this.cache.set(itemId, result);
    return result;
  }

  private combine(
    labels: ReadonlyArray<string>,
    parents: ReadonlyArray<string>,
  ): Map<string, MutableDisclosure> {
    const out = new Map<string, MutableDisclosure>();
    for (const parent of parents) mergeInto(out, this.carried(parent));
    mergeInto(out, fromLabels(labels));
    if (labels.includes(VAGUE_LABEL)) {
      for (const d of out.values()) {
        d.level = "vague";
        d.rows.clear();
        d.columns.clear();
      }
    }
    return out;
  }
}

/** Keys of the tables disclosed with their values (vague ones left out). */
export function disclosedKeys(disclosure: Disclosure): Set<string> {
  const out = new Set<string>();
  for (const [key, d] of disclosure) if (d.level === "rows") out.add(key);
  return out;
}

function fromLabels(labels: ReadonlyArray<string>): Map<string, MutableDisclosure> {
  const out = new Map<string, MutableDisclosure>();
  const entry = (ref: TableRef): MutableDisclosure => {
    const key = tableKey(ref);
    let d = out.get(key);
    if (!d) {
      d = { ...ref, level: "rows", rows: new Set(), columns: new Set() };
      out.set(key, d);
    }
    return d;
  };
  for (const label of labels) {
    if (label.startsWith(SOURCE_LABEL)) {
      const ref = parseRef(label.slice(SOURCE_LABEL.length));
      if (ref) entry(ref);
    } else if (label.startsWith(ROW_LABEL)) {
      const rest = label.slice(ROW_LABEL.length);
      const cut = rest.lastIndexOf("/");
      const ref = parseRef(rest.slice(0, cut));
      const index = Number(rest.slice(cut + 1));
      if (ref && cut > 0 && Number.isInteger(index)) entry(ref).rows.add(index);
    } else if (label.startsWith(COLUMN_LABEL)) {
      const rest = label.slice(COLUMN_LABEL.length);
      const first = rest.indexOf("/");
      const second = rest.indexOf("/", first + 1);
      const ref = second > 0 ? parseRef(rest.slice(0, second)) : null;
      if (ref) entry(ref).columns.add(rest.slice(second + 1));
    }
  }
  return out;
}

function parseRef(s: string): TableRef | null {
  const cut = s.indexOf("/");
  if (cut <= 0 || cut === s.length - 1) return null;
  return { owner: s.slice(0, cut), table: s.slice(cut + 1) };
}

function mergeInto(target: Map<string, MutableDisclosure>, source: Map<string, MutableDisclosure>): void {
  for (const [key, d] of source) {
    const t = target.get(key);
    if (!t) {
      target.set(key, {
        owner: d.owner,
        table: d.table,
        level: d.level,
        rows: new Set(d.rows),
        columns: new Set(d.columns),
      });
      continue;
    }
    // Rows beat vague: once the values got through one path, an aggregate elsewhere adds nothing.
    if (d.level === "rows") t.level = "rows";
    for (const r of d.rows) t.rows.add(r);
    for (const c of d.columns) t.columns.add(c);
  }
}

function freeze(m: Map<string, MutableDisclosure>): Disclosure {
  const out: Disclosure = new Map();
  for (const [key, d] of m) {
    out.set(key, {
      owner: d.owner,
      table: d.table,
      level: d.level,
      rows: d.level === "rows" ? [...d.rows].sort((a, b) => a - b) : [],
      columns: d.level === "rows" ? [...d.columns].sort() : [],
    });
  }
  return out;
}

const ledgers = new WeakMap<EventLog, DisclosureLedger>();

/** One ledger per log, so guards called on every message share the per-item cache. */
export function ledgerFor(log: EventLog): DisclosureLedger {
  let ledger = ledgers.get(log);
  if (!ledger) {
    ledger = new DisclosureLedger(log);
    ledgers.set(log, ledger);
  }
  return ledger;
}
