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
  const walk = (v: unknown): unknown => {
    if (typeof v === "string") return scrubString(v);
    if (Array.isArray(v)) return v.map(walk);
    if (v !== null && typeof v === "object") {
      const out: Record<string, unknown> = {};
      for (const [k, inner] of Object.entries(v)) out[k] = walk(inner);
      return out;
    }
    return v;
  };
  return walk(value) as T;
}
