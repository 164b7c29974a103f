import { type Item, isPrivate } from "./item.js";

export const REDACTED = "[redacted]";

/**
 * The one rule for anything that leaves a run (logs, trace exports, run files): content of
 * private or sensitive items is replaced unless the user opted in.
 */
export function redactItem(item: Item, includePrivate = false): Item {
  if (includePrivate || !isPrivate(item.sensitivity)) return item;
  return { ...item, content: `${REDACTED}:${item.sensitivity}` };
}

/** Replaces every occurrence of the given secret strings inside any JSON-like value. */
export function scrubValues<T>(value: T, secrets: ReadonlyArray<string>): T {
  const active = secrets.filter((s) => s.length > 0);
  if (active.length === 0) return value;
  const scrubString = (s: string): string => {
    let out = s;
    for (const secret of active) out = out.split(secret).join(REDACTED);
    return out;
  };
  return mapLeaves(value, (v) => (typeof v === "string" ? scrubString(v) : v));
}

/** A copy of a JSON-like value with every leaf (string, number, boolean, null) passed through `leaf`. */
function mapLeaves<T>(value: T, leaf: (v: unknown) => unknown): T {
  const walk = (v: unknown): unknown => {
    if (Array.isArray(v)) return v.map(walk);
    if (v !== null && typeof v === "object") {
      const out: Record<string, unknown> = {};
      for (const [k, inner] of Object.entries(v)) out[k] = walk(inner);
      return out;
    }
    return leaf(v);
  };
  return walk(value) as T;
}

const NO_VALUES: ReadonlySet<string> = new Set();

/** Put on a saved item whose content repeated values of a private ancestor (replaced when saved). */
export const REPEATED_PRIVATE_LABEL = "redacted:repeats-private";

/**
 * What would identify a private item's content if repeated elsewhere: each string leaf (3+
 * characters) and each number leaf (3+ digits, also with thousands separators), plus the tokens
 * inside longer strings that carry a digit (amounts, ids, dates, codes) or are e-mail addresses.
 */
export function privateValuesOf(content: unknown): Set<string> {
  const out = new Set<string>();
  const walk = (v: unknown): void => {
    if (typeof v === "string") {
      if (v.length >= 3 && !v.startsWith(REDACTED)) out.add(v);
      if (v.length > 12) for (const m of v.matchAll(VALUE_TOKEN)) if (m[0].length >= 3) out.add(m[0]);
    } else if (typeof v === "number" && Number.isFinite(v)) {
      const plain = String(v);
      if (plain.replace(/\D/g, "").length >= 3) out.add(plain);
      if (Math.abs(v) >= 1000) out.add(v.toLocaleString("en-US"));
    } else if (Array.isArray(v)) v.forEach(walk);
    else if (v !== null && typeof v === "object") Object.values(v).forEach(walk);
  };
  walk(content);
  return out;
}

/** A digit-bearing token (`91,250`, `078-05-1120`, `2025-03-14`, `INV-3321`) or an e-mail address. */
const VALUE_TOKEN =
  /[\w.+-]+@[\w-]+(?:\.[\w-]+)+|[A-Za-z0-9]*\d[A-Za-z0-9]*(?:[.,:/-][A-Za-z0-9]*\d[A-Za-z0-9]*)*/g;

/**
 * Redaction that follows provenance, for anything saved or exported from a run. A private or
 * sensitive item loses its content (as `redactItem`); an item derived from one, directly or
 * through any chain of `derivedFrom`, keeps its content with every value of those private
 * ancestors it repeats replaced (a step output or final answer quoting a private tool result).
 * `values` holds every private value of the run, for text with no provenance (event messages,
 * reasons). With `includePrivate` nothing changes.
 */
export function redactByProvenance(
  items: ReadonlyArray<Item>,
  includePrivate = false,
): { items: Item[]; values: string[] } {
  if (includePrivate) return { items: [...items], values: [] };
  const byId = new Map(items.map((i) => [i.id, i]));
  const inherited = new Map<string, ReadonlySet<string>>();
  const all = new Set<string>();
  const owned = new Map<string, ReadonlySet<string>>();
  const own = (item: Item): ReadonlySet<string> => {
    if (!isPrivate(item.sensitivity)) return NO_VALUES;
    let values = owned.get(item.id);
    if (!values) {
      values = privateValuesOf(item.content);
      owned.set(item.id, values);
    }
    return values;
  };
  // Values an item may repeat from its private ancestors, computed parents first (iteratively:
  // a run's provenance chains can be longer than the call stack).
  const valuesFrom = (start: Item): ReadonlySet<string> => {
    const stack: Item[] = [start];
    const visiting = new Set<string>();
    while (stack.length > 0) {
      const item = stack[stack.length - 1] as Item;
      if (inherited.has(item.id)) {
        stack.pop();
        continue;
      }
      if (!visiting.has(item.id)) {
        visiting.add(item.id);
        for (const id of item.derivedFrom) {
          const parent = byId.get(id);
          // A parent already on the path would be a cycle, which a log cannot hold: skip it.
          if (parent && !inherited.has(id) && !visiting.has(id)) stack.push(parent);
        }
        continue;
      }
      stack.pop();
      let acc: ReadonlySet<string> = NO_VALUES;
      for (const id of item.derivedFrom) {
        const parent = byId.get(id);
        if (parent) acc = union(acc, union(own(parent), inherited.get(id) ?? NO_VALUES));
      }
      inherited.set(item.id, acc);
    }
    return inherited.get(start.id) ?? NO_VALUES;
  };
  const out = items.map((item) => {
    if (isPrivate(item.sensitivity)) {
      for (const v of own(item)) all.add(v);
      return redactItem(item);
    }
    const values = valuesFrom(item);
    if (values.size === 0) return item;
    const content = scrubWords(item.content, values);
    // Marked, so a reader of the file (the audit, a trace) knows a private value was repeated here.
    return JSON.stringify(content) === JSON.stringify(item.content)
      ? item
      : { ...item, content, labels: [...item.labels, REPEATED_PRIVATE_LABEL] };
  });
  return { items: out, values: [...all] };
}

function union(a: ReadonlySet<string>, b: ReadonlySet<string>): ReadonlySet<string> {
  if (b.size === 0 || a === b) return a;
  if (a.size === 0) return b;
  let grows = false;
  for (const v of b)
    if (!a.has(v)) {
      grows = true;
      break;
    }
  return grows ? new Set([...a, ...b]) : a;
}

const matchers = new WeakMap<ReadonlySet<string>, RegExp>();

/**
 * Replaces each value inside any JSON-like value with `[redacted]`, whole words only for values
 * that start or end with a letter or digit (`Bo` is not taken out of `Bold`), longest first.
 */
export function scrubWords<T>(value: T, values: ReadonlySet<string> | ReadonlyArray<string>): T {
  const set: ReadonlySet<string> = values instanceof Set ? values : new Set(values);
  if (set.size === 0) return value;
  let re = matchers.get(set);
  if (!re) {
    const alternatives = [...set]
      .sort((a, b) => b.length - a.length)
      .map(
        (v) => `${/^\w/.test(v) ? "(?<![\\w])" : ""}${escapeRegExp(v)}${/\w$/.test(v) ? "(?![\\w])" : ""}`,
      );
    re = new RegExp(alternatives.join("|"), "g");
    matchers.set(set, re);
  }
  const pattern = re;
  return mapLeaves(value, (v) => {
    if (typeof v === "string") return v.replace(pattern, REDACTED);
    if (typeof v === "number") return set.has(String(v)) ? REDACTED : v;
    return v;
  });
}

function escapeRegExp(s: string): string {
  return s.replace(/[.*+?^${}()|[\]\\]/g, "\\$&");
}
