import { basename } from "node:path";
import type { Invocable, ModelRecorder } from "../../models/index.js";
import { attributeAllAtOnce } from "./all-at-once.js";
import type { LabelledRecord } from "./data.js";
import { leaveOneOut } from "./loo.js";
import {
  type Attribution,
  attributeFirstError,
  attributeIdg,
  attributeLastAgent,
  attributeMostActive,
  attributeRandom,
  type Method,
  seedOf,
} from "./methods.js";

export interface ResultRow {
  split: string;
  method: string;
  n: number;
  /** Percent; null when the method did not run (see `skipped`). */
  agentAccuracy: number | null;
  stepAccuracy: number | null;
}

export interface EvalReport {
  rows: ResultRow[];
  skipped: Array<{ method: string; reason: string }>;
  /** Per record and method, for inspection (`--json` leaves it out). */
  details: Array<{
    file: string;
    split: string;
    method: string;
    predicted: Attribution;
    agent: string;
    step: number;
  }>;
}

export interface EvalOptions {
  methods: Method[];
  withGroundTruth: boolean;
  model?: Invocable;
  recorder?: ModelRecorder;
  /** Base seed for the random baseline. */
  seed?: number;
  /** Adds an `idg-loo` row per split: the ledger reading chosen by leave-one-out (see loo.ts). */
  leaveOneOut?: boolean;
  onRecord?: (file: string, method: Method) => void;
}

export const SPLITS = ["algorithm-generated", "hand-crafted"] as const;

/**
 * Exact-match agent and step accuracy per split and method, with the label priors of each split
 * as their own rows so a prior is never mistaken for skill.
 */
export async function evaluateWhoAndWhen(
  records: ReadonlyArray<LabelledRecord>,
  options: EvalOptions,
): Promise<EvalReport> {
  const rows: ResultRow[] = [];
  const skipped: EvalReport["skipped"] = [];
  const details: EvalReport["details"] = [];
  const methods = [...options.methods];
  if (methods.includes("all-at-once") && !options.model) {
    skipped.push({
      method: "all-at-once",
      reason: "needs a model (pass --model, with OPENAI_BASE_URL for a local server)",
    });
  }
  for (const split of SPLITS) {
    const rs = records.filter((r) => r.split === split);
    if (rs.length === 0) continue;
    for (const method of methods) {
      if (method === "all-at-once" && !options.model) {
        rows.push({ split, method, n: rs.length, agentAccuracy: null, stepAccuracy: null });
        continue;
      }
      let agentHits = 0;
      let stepHits = 0;
      for (const [i, r] of rs.entries()) {
        const predicted = await attribute(method, r, i, options);
        // Exact match: "1" must not count as "12" (the official scorer's substring match does).
        if (predicted.agent === r.mistakeAgent) agentHits += 1;
        if (predicted.step === r.mistakeStep) stepHits += 1;
        details.push({ file: r.file, split, method, predicted, agent: r.mistakeAgent, step: r.mistakeStep });
        options.onRecord?.(r.file, method);
      }
      rows.push({
        split,
        method,
        n: rs.length,
        agentAccuracy: pct(agentHits, rs.length),
        stepAccuracy: pct(stepHits, rs.length),
      });
    }
    if (options.leaveOneOut) {
      const loo = leaveOneOut(rs, options.withGroundTruth);
      rows.push({
        split,
        method: "idg-loo",
        n: loo.n,
        agentAccuracy: loo.agentAccuracy,
        stepAccuracy: loo.stepAccuracy,
      });
    }
    rows.push(labelPrior(split, rs));
  }
  return { rows, skipped, details };
}

async function attribute(
  method: Method,
  r: LabelledRecord,
  index: number,
  options: EvalOptions,
): Promise<Attribution> {
  // Seeded by the record's file name, not the path it was read from: a figure does not depend on the folder.
  const seed = seedOf(basename(r.file), options.seed ?? 0);
  const base = { withGroundTruth: options.withGroundTruth, seed };
  switch (method) {
    case "idg":
      return attributeIdg(r.input, base);
    case "first-error":
      return attributeFirstError(r.input);
    case "last-agent":
      return attributeLastAgent(r.input);
    case "most-active":
      return attributeMostActive(r.input);
    case "random":
      return attributeRandom(r.input, base);
    case "all-at-once": {
      const model = options.model as Invocable;
      return attributeAllAtOnce(model, r.input, {
        withGroundTruth: options.withGroundTruth,
        index,
        ...(options.recorder ? { recorder: options.recorder } : {}),
      });
    }
  }
}

/**
 * Always answering the split's most frequent agent / most frequent step. Fitted on the very
 * records it is scored on, so it is an upper bound for any fixed prior.
 */
export function labelPrior(split: string, rs: ReadonlyArray<LabelledRecord>): ResultRow {
  const top = <T>(values: T[]): number => {
    const counts = new Map<T, number>();
    for (const v of values) counts.set(v, (counts.get(v) ?? 0) + 1);
    return Math.max(0, ...counts.values());
  };
  return {
    split,
    method: "label-prior",
    n: rs.length,
    agentAccuracy: pct(top(rs.map((r) => r.mistakeAgent)), rs.length),
    stepAccuracy: pct(top(rs.map((r) => r.mistakeStep)), rs.length),
  };
}

function pct(hits: number, n: number): number {
  return n === 0 ? 0 : Math.round((1000 * hits) / n) / 10;
}
