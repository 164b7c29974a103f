import type { NormalisedPlan } from "./model.js";

/**
 * Values recognised by their shape rather than the name of the argument holding them (an account
 * number is one whether the tool calls it `iban`, `beneficiary` or `pay_to`). Shapes are matched
 * on the raw text and compared in a compact form: lower case, without spaces, dashes or dots, as
 * people and documents write the same IBAN or card number in several ways.
 */
export interface ShapedValue {
  /** The argument path(s) the value was read from (two when it was split over adjacent arguments). */
  paths: string[];
  /** The value as matched in the argument text. */
  raw: string;
  compact: string;
  /** Read from two adjacent arguments joined: it counts only where that joined value was seen. */
  joined: boolean;
}

export function compact(text: string): string {
  return text.toLowerCase().replace(/[\s.\-_/]+/g, "");
}

type Leaf = { path: string; value: string };

/**
 * Every value of the shape in a step's argument leaves, and in each pair of adjacent leaves read
 * as one (a value split over two arguments), once per compact form.
 */
export function shapedValues(leaves: ReadonlyArray<Leaf>, shape: RegExp): ShapedValue[] {
  const out: ShapedValue[] = [];
  const seen = new Set<string>();
  const add = (paths: string[], text: string): void => {
    for (const m of text.matchAll(shape)) {
      const c = compact(m[0]);
      if (c.length < 8 || seen.has(c)) continue;
      seen.add(c);
      out.push({ paths, raw: m[0].trim(), compact: c, joined: paths.length > 1 });
    }
  };
  for (const leaf of leaves) if (leaf.value.length <= 512) add([leaf.path], leaf.value);
  // A value split over two adjacent arguments: only fragments that are no value of the shape alone.
  for (let i = 0; i + 1 < leaves.length; i++) {
    const a = leaves[i] as Leaf;
    const b = leaves[i + 1] as Leaf;
    if (!isFragment(a.value, shape) || !isFragment(b.value, shape)) continue;
    add([a.path, b.path], `${a.value}${b.value}`);
  }
  return out;
}

function isFragment(value: string, shape: RegExp): boolean {
  if (value.length > 64 || !/^[\w\s.-]+$/.test(value)) return false;
  return value.search(shape) < 0;
}

/** Whether some part of the value has the shape. */
export function hasShape(value: string, shape: RegExp): boolean {
  // `search` starts at 0 and leaves the global expression's lastIndex alone (`test` would not).
  return value.search(shape) >= 0;
}

export type ShapedSource =
  | { kind: "user" | "trusted"; itemId: string }
  | { kind: "observation"; itemId: string }
  | { kind: "unseen" };

/** The plan's texts in compact form, computed once per plan when a rule needs them. */
export interface CompactTexts {
  user: string;
  trusted: Array<{ id: string; text: string }>;
  observations: Array<{ id: string; text: string; beforeStep: number }>;
}

export function compactTexts(plan: NormalisedPlan, userRequest: string): CompactTexts {
  return {
    user: compact(userRequest),
    trusted: plan.trusted.map((t) => ({ id: t.id, text: compact(t.text) })),
    observations: plan.observations.map((o) => ({
      id: o.id,
      text: compact(o.text),
      beforeStep: o.beforeStep,
    })),
  };
}

/** Where a shaped value was first seen, in order of trust, as `traceArgs` does for whole values. */
export function locateShaped(value: string, stepIndex: number, texts: CompactTexts): ShapedSource {
  if (texts.user.includes(value)) return { kind: "user", itemId: "user_request" };
  for (const t of texts.trusted) if (t.text.includes(value)) return { kind: "trusted", itemId: t.id };
  for (const o of texts.observations)
    if (o.beforeStep <= stepIndex && o.text.includes(value)) return { kind: "observation", itemId: o.id };
  return { kind: "unseen" };
}
