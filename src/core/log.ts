import { InternalError } from "./errors.js";
import type { DeliveryVia, NewRunEvent, RunEvent } from "./events.js";
import { newId } from "./ids.js";
import { canSee, type Item, type NewItem } from "./item.js";

export interface EventLogOptions {
  /** Id factory; a deterministic one makes scripted runs reproducible. */
  newItemId?: (kind: string) => string;
}

export interface SeenEntry {
  item: Item;
  step: number;
  via: DeliveryVia | "authored";
}

/** The writing half of the log, so a writer can be wrapped (e.g. to capture what one node wrote). */
export interface LogWriter {
  add(runId: string, input: NewItem): Item;
  record(event: NewRunEvent): RunEvent;
  deliver(itemId: string, to: string, step: number, via: DeliveryVia): boolean;
}

/**
 * The append-only record of one or more runs: items and the events around them (deliveries,
 * denials, tool executions, model calls, status). Everything the guards and the tracer know
 * comes from here, so nothing is ever updated or removed.
 */
export class EventLog implements LogWriter {
  private readonly itemList: Item[] = [];
  private readonly eventList: RunEvent[] = [];
  private readonly byId = new Map<string, Item>();
  private readonly byAuthor = new Map<string, Item[]>();
  /** agent -> what reached it, in order; key includes run so runs never mix. */
  private readonly seen = new Map<string, SeenEntry[]>();
  private readonly newItemId: (kind: string) => string;
  /** Added to an event's index to give its seq: a resumed log numbers on past what came before. */
  private seqOffset = 0;
  private listeners: Array<(event: RunEvent) => void> = [];

  constructor(options: EventLogOptions = {}) {
    this.newItemId = options.newItemId ?? ((kind) => newId(kind.replace(/_/g, "")));
  }

  /** Appends an item with runId; returns the stored (frozen) item. */
  add(runId: string, input: NewItem): Item {
    const item: Item = Object.freeze({
      id: input.id ?? this.newItemId(input.kind),
      runId,
      step: input.step,
      author: input.author,
      kind: input.kind,
      content: input.content,
      audience: input.audience ?? ["*"],
      sensitivity: input.sensitivity ?? "internal",
      labels: input.labels ?? [],
      derivedFrom: input.derivedFrom ?? [],
    });
    if (this.byId.has(item.id)) {
      throw new InternalError(`duplicate item id ${item.id}`);
    }
    for (const parent of item.derivedFrom) {
      if (!this.byId.has(parent)) {
        throw new InternalError(`item ${item.id} derives from unknown item ${parent}`);
      }
    }
    this.itemList.push(item);
    this.byId.set(item.id, item);
    const authored = this.byAuthor.get(item.author);
    if (authored) authored.push(item);
    else this.byAuthor.set(item.author, [item]);
    this.pushSeen(runId, item.author, { item, step: item.step, via: "authored" });
    this.record({ type: "item", runId, step: item.step, itemId: item.id });
    return item;
  }

  record(event: NewRunEvent): RunEvent {
    const full = Object.freeze({ ...event, seq: this.eventList.length + this.seqOffset }) as RunEvent;
    this.eventList.push(full);
    for (const listener of this.listeners) listener(full);
    return full;
  }

  /**
   * Calls `listener` with every event recorded from now on, synchronously (an item's event comes
   * after the item is stored). Returns the function that stops it.
   */
  subscribe(listener: (event: RunEvent) => void): () => void {
    this.listeners = [...this.listeners, listener];
    return () => {
      this.listeners = this.listeners.filter((l) => l !== listener);
    };
  }

  /**
   * Hands an item to an agent. An agent outside the item's audience is refused and the refusal
   * is recorded; it is never silently served.
   */
  deliver(itemId: string, to: string, step: number, via: DeliveryVia): boolean {
    const item = this.mustGet(itemId);
    if (!canSee(item, to)) {
      this.record({
        type: "denied",
        runId: item.runId,
        step,
        itemId,
        agent: to,
        via,
        reason: `${to} is not in the audience of ${itemId}`,
      });
      return false;
    }
    this.record({ type: "delivered", runId: item.runId, step, itemId, to, via });
    this.pushSeen(item.runId, to, { item, step, via });
    return true;
  }

  item(id: string): Item | undefined {
    return this.byId.get(id);
  }

  mustGet(id: string): Item {
    const item = this.byId.get(id);
    if (!item) throw new InternalError(`unknown item ${id}`);
    return item;
  }

  items(filter: { runId?: string; author?: string; kind?: Item["kind"] } = {}): Item[] {
    const source = filter.author !== undefined ? (this.byAuthor.get(filter.author) ?? []) : this.itemList;
    return source.filter(
      (i) =>
        (filter.runId === undefined || i.runId === filter.runId) &&
        (filter.kind === undefined || i.kind === filter.kind),
    );
  }

  events(filter: { runId?: string; type?: RunEvent["type"] } = {}): RunEvent[] {
    return this.eventList.filter(
      (e) =>
        (filter.runId === undefined || e.runId === filter.runId) &&
        (filter.type === undefined || e.type === filter.type),
    );
  }

  /** Everything agent X authored or was handed in run R, up to and including step N. */
  seenBy(runId: string, agent: string, uptoStep = Number.POSITIVE_INFINITY): SeenEntry[] {
    const entries = this.seen.get(seenKey(runId, agent)) ?? [];
    return entries.filter((e) => e.step <= uptoStep);
  }

  /** What reached agent X in run R from position `from` on (for incremental readers). */
  seenSince(runId: string, agent: string, from: number): SeenEntry[] {
    const entries = this.seen.get(seenKey(runId, agent)) ?? [];
    return from >= entries.length ? [] : entries.slice(from);
  }

  /** Ids of items X has seen: the context a new item by X is derived from. */
  seenIds(runId: string, agent: string, uptoStep = Number.POSITIVE_INFINITY): string[] {
    const out: string[] = [];
    const dedupe = new Set<string>();
    for (const e of this.seenBy(runId, agent, uptoStep)) {
      if (!dedupe.has(e.item.id)) {
        dedupe.add(e.item.id);
        out.push(e.item.id);
      }
    }
    return out;
  }

  /** All ancestors of an item through `derivedFrom`, nearest first. */
  ancestors(itemId: string): Item[] {
    const out: Item[] = [];
    const visited = new Set<string>([itemId]);
    const queue = [...this.mustGet(itemId).derivedFrom];
    while (queue.length > 0) {
      const id = queue.shift() as string;
      if (visited.has(id)) continue;
      visited.add(id);
      const item = this.mustGet(id);
      out.push(item);
      queue.push(...item.derivedFrom);
    }
    return out;
  }

  get eventCount(): number {
    return this.eventList.length;
  }

  /** Events with seq >= from (the log is append-only, so seq is the index). */
  eventsFrom(from: number): RunEvent[] {
    return this.eventList.slice(from);
  }

  get size(): number {
    return this.itemList.length;
  }

  snapshot(runId?: string): { items: Item[]; events: RunEvent[] } {
    return {
      items: runId === undefined ? [...this.itemList] : this.items({ runId }),
      events: runId === undefined ? [...this.eventList] : this.events({ runId }),
    };
  }

  /** The seq the next recorded event gets. */
  get nextSeq(): number {
    return this.eventList.length + this.seqOffset;
  }

  /**
   * Rebuilds a log from a snapshot (a run file, or a checkpoint's state). New events are numbered
   * after the snapshot's highest seq, and after `options.nextSeq` when events outside the snapshot
   * (writes a crashed process saved for tasks that finished) keep theirs: seqs never repeat.
   * The snapshot's items and events become the log's entries, frozen in place, not copied.
   */
  static fromSnapshot(
    snapshot: { items: Item[]; events: RunEvent[] },
    options: { nextSeq?: number } = {},
  ): EventLog {
    const log = new EventLog();
    for (const item of snapshot.items) {
      const frozen = frozenInPlace(item);
      log.itemList.push(frozen);
      log.byId.set(item.id, frozen);
      const authored = log.byAuthor.get(item.author);
      if (authored) authored.push(frozen);
      else log.byAuthor.set(item.author, [frozen]);
    }
    // Replay in event order so "what X has seen" comes back in the order X saw it.
    for (const event of snapshot.events) {
      log.eventList.push(frozenInPlace(event));
      if (event.type === "item") {
        const item = log.byId.get(event.itemId);
        if (item) log.pushSeen(item.runId, item.author, { item, step: item.step, via: "authored" });
      } else if (event.type === "delivered") {
        const item = log.byId.get(event.itemId);
        if (item) log.pushSeen(event.runId, event.to, { item, step: event.step, via: event.via });
      }
    }
    let next = options.nextSeq ?? 0;
    for (const event of snapshot.events) if (event.seq >= next) next = event.seq + 1;
    log.seqOffset = Math.max(0, next - log.eventList.length);
    return log;
  }

  private pushSeen(runId: string, agent: string, entry: SeenEntry): void {
    const key = seenKey(runId, agent);
    const list = this.seen.get(key);
    if (list) list.push(entry);
    else this.seen.set(key, [entry]);
  }
}

/**
 * The object itself, frozen (shallowly, as the log's own entries are). A resumed thread's log is
 * thousands of entries fresh from the checkpoint: freezing them costs next to nothing, where a
 * frozen copy of each was most of rebuilding the log.
 */
function frozenInPlace<T extends object>(value: T): T {
  return Object.isFrozen(value) ? value : Object.freeze(value);
}

function seenKey(runId: string, agent: string): string {
  return `${runId}\u0000${agent}`;
}

/**
 * Forwards writes to a log and keeps what they added. Writes are synchronous, so the events
 * between the marks are exactly this writer's, even when sibling branches interleave between
 * awaits.
 */
export class CapturingWriter implements LogWriter {
  readonly items: Item[] = [];
  readonly events: RunEvent[] = [];

  constructor(private readonly log: EventLog) {}

  add(runId: string, input: NewItem): Item {
    const mark = this.log.eventCount;
    const item = this.log.add(runId, input);
    this.items.push(item);
    this.events.push(...this.log.eventsFrom(mark));
    return item;
  }

  record(event: NewRunEvent): RunEvent {
    const recorded = this.log.record(event);
    this.events.push(recorded);
    return recorded;
  }

  deliver(itemId: string, to: string, step: number, via: DeliveryVia): boolean {
    const mark = this.log.eventCount;
    const ok = this.log.deliver(itemId, to, step, via);
    this.events.push(...this.log.eventsFrom(mark));
    return ok;
  }
}
