import { readFileSync } from "node:fs";
import { z } from "zod";
import { fromZodError, UserInputError } from "../../core/index.js";
import { detect, type LeakRating, profileItem, readMessage } from "../../guards/privacy/detector.js";
import { type MagpieScenario, publicTextOf } from "./schema.js";

/**
 * Precision and recall of the leak detector on a labelled set of messages
 * (`quorum eval magpie --detector-check <file>`). A leak is a partial or full rating.
 */
export const LABELS_FORMAT = "quorum.detector-labels";

const Rating = z.enum(["none", "partial", "full"]);

export const LabelledSetSchema = z.object({
  format: z.literal(LABELS_FORMAT),
  version: z.literal(1),
  items: z
    .array(z.object({ id: z.string().min(1), value: z.string().min(1), public: z.string().default("") }))
    .min(1),
  messages: z
    .array(
      z.object({
        id: z.string().min(1),
        item: z.string().min(1),
        text: z.string().min(1),
        label: Rating,
        /** verbatim, reformatted, paraphrase, hint, near-miss, unrelated: for the per-kind table. */
        kind: z.string().min(1),
      }),
    )
    .min(1),
});
export type LabelledSet = z.infer<typeof LabelledSetSchema>;

export interface CheckRow {
  id: string;
  kind: string;
  label: LeakRating;
  predicted: LeakRating;
}

export interface DetectorCheck {
  messages: number;
  tp: number;
  fp: number;
  fn: number;
  tn: number;
  precision: number;
  recall: number;
  f1: number;
  /** Share of messages rated exactly at their label's level. */
  levelAccuracy: number;
  byKind: Record<string, { messages: number; flagged: number; labelledLeaks: number; correct: number }>;
  rows: CheckRow[];
}

export function readLabelledSet(path: string): LabelledSet {
  let raw: unknown;
  try {
    raw = JSON.parse(readFileSync(path, "utf8"));
  } catch (error) {
    throw new UserInputError(`cannot read labelled set: ${(error as Error).message}`, { file: path });
  }
  const parsed = LabelledSetSchema.safeParse(raw);
  if (!parsed.success)
    throw fromZodError(parsed.error, { file: path, hint: `a ${LABELS_FORMAT} file, version 1` });
  const ids = new Set(parsed.data.items.map((i) => i.id));
  for (const [i, m] of parsed.data.messages.entries()) {
    if (!ids.has(m.item)) {
      throw new UserInputError(`unknown item ${m.item}`, { file: path, field: `messages.${i}.item` });
    }
  }
  return parsed.data;
}

export function checkDetector(set: LabelledSet): DetectorCheck {
  const profiles = new Map(
    set.items.map((i) => [i.id, profileItem({ id: i.id, value: i.value, publicText: i.public })]),
  );
  const rows: CheckRow[] = [];
  let tp = 0;
  let fp = 0;
  let fn = 0;
  let tn = 0;
  let exact = 0;
  const byKind: DetectorCheck["byKind"] = {};
  for (const m of set.messages) {
    const profile = profiles.get(m.item);
    if (!profile) continue;
    const predicted = detect(profile, m.text).rating;
    rows.push({ id: m.id, kind: m.kind, label: m.label, predicted });
    const isLeak = m.label !== "none";
    const flagged = predicted !== "none";
    if (isLeak && flagged) tp += 1;
    else if (!isLeak && flagged) fp += 1;
    else if (isLeak && !flagged) fn += 1;
    else tn += 1;
    if (predicted === m.label) exact += 1;
    const k = byKind[m.kind] ?? { messages: 0, flagged: 0, labelledLeaks: 0, correct: 0 };
    k.messages += 1;
    if (flagged) k.flagged += 1;
    if (isLeak) k.labelledLeaks += 1;
    if (flagged === isLeak) k.correct += 1;
    byKind[m.kind] = k;
  }
  const precision = tp + fp === 0 ? 0 : tp / (tp + fp);
  const recall = tp + fn === 0 ? 0 : tp / (tp + fn);
  return {
    messages: rows.length,
    tp,
    fp,
    fn,
    tn,
    precision,
    recall,
    f1: precision + recall === 0 ? 0 : (2 * precision * recall) / (precision + recall),
    levelAccuracy: rows.length === 0 ? 0 : exact / rows.length,
    byKind,
    rows,
  };
}

export interface UnrelatedCheck {
  items: number;
  /** Item profile x private value of another scenario. */
  pairs: number;
  flagged: number;
  full: number;
  /** Share of pairs rated partial or full: every one is a false positive. */
  falsePositiveRate: number;
  fullRate: number;
}

/**
 * False positives at scale, with no labels needed: each private item checked against the private
 * values of every other scenario, which cannot be leaks of it.
 */
export function checkUnrelated(scenarios: ReadonlyArray<MagpieScenario>): UnrelatedCheck {
  const all = scenarios.flatMap((s) => s.agents.flatMap((a) => a.private.map((p) => ({ s, p }))));
  const views = all.map((x) => readMessage(x.p.value));
  let pairs = 0;
  let flagged = 0;
  let full = 0;
  for (const { s, p } of all) {
    const profile = profileItem({ id: p.id, value: p.value, publicText: publicTextOf(s) });
    for (const [j, other] of all.entries()) {
      if (other.s === s) continue;
      pairs += 1;
      const rating = detect(profile, views[j] as ReturnType<typeof readMessage>).rating;
      if (rating !== "none") flagged += 1;
      if (rating === "full") full += 1;
    }
  }
  return {
    items: all.length,
    pairs,
    flagged,
    full,
    falsePositiveRate: pairs === 0 ? 0 : flagged / pairs,
    fullRate: pairs === 0 ? 0 : full / pairs,
  };
}
