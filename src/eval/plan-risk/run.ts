import { performance } from "node:perf_hooks";
import type { TrajectoryView } from "../../guards/plan/adapters.js";
import type { NormalisedPlanGuard } from "../../guards/plan/guard.js";
import type { Verdict } from "../../guards/types.js";
import type { PlanRiskRecord } from "./data.js";
import { computeMetrics, type PlanRiskMetrics, type PlanRiskOutcome } from "./metrics.js";

export interface PlanRiskRunOptions {
  view: TrajectoryView;
  guard: NormalisedPlanGuard;
  onRecord?: (outcome: PlanRiskOutcome, verdict: Verdict) => void;
  /**
   * Timed checks per plan; the fastest counts. Deterministic modes only: a shared machine's
   * scheduler adds multi-millisecond stalls that say nothing about the guard. Default 1.
   */
  repeats?: number;
}

export interface PlanRiskReport {
  metrics: PlanRiskMetrics;
  outcomes: PlanRiskOutcome[];
  /** How often each rule fired (first tag of each rationale part), for reading the results. */
  ruleCounts: Record<string, number>;
  modelCalls: number;
  failClosed: number;
}

/**
 * Checks every record's plan with the guard. Latency is per plan, from the raw record to the
 * verdict (normalising included), so it is what a caller would pay. With `repeats` > 1 an
 * untimed warm-up pass runs first, then `repeats` timed passes, and each plan's fastest is kept.
 */
export async function runPlanRisk(
  records: ReadonlyArray<PlanRiskRecord>,
  options: PlanRiskRunOptions,
): Promise<PlanRiskReport> {
  const outcomes: PlanRiskOutcome[] = [];
  const ruleCounts: Record<string, number> = {};
  let modelCalls = 0;
  let failClosed = 0;
  const repeats = Math.max(1, options.repeats ?? 1);
  // Extra passes (deterministic modes) go over the whole set, so a stall of the machine hits one
  // pass of a plan, not all its timings at once.
  const best: number[] = records.map(() => Number.POSITIVE_INFINITY);
  if (repeats > 1) {
    for (const record of records) await options.guard.checkNormalised(record.toPlan(options.view));
    for (let pass = 1; pass < repeats; pass++) {
      for (const [i, record] of records.entries()) {
        const start = performance.now();
        await options.guard.checkNormalised(record.toPlan(options.view));
        best[i] = Math.min(best[i] as number, performance.now() - start);
      }
    }
  }
  for (const [i, record] of records.entries()) {
    const start = performance.now();
    const plan = record.toPlan(options.view);
    const verdict = await options.guard.checkNormalised(plan);
    const ms = Math.min(best[i] as number, performance.now() - start);
    const outcome: PlanRiskOutcome = {
      id: record.id,
      unsafe: record.unsafe,
      flagged: verdict.flagged,
      ms,
      ...(record.gold
        ? { goldRiskType: record.gold.type, goldLabel: record.gold.label, goldAccepts: record.gold.accepts }
        : {}),
      ...(verdict.riskType ? { predictedRiskType: verdict.riskType } : {}),
      ...(record.strategy !== undefined ? { strategy: record.strategy } : {}),
      ...(record.firstRiskyStep !== undefined ? { firstRiskyStep: record.firstRiskyStep } : {}),
      ...(verdict.flagged ? { flaggedSteps: verdict.stepIndices ?? [] } : {}),
    };
    outcomes.push(outcome);
    modelCalls += verdict.modelCalls ?? 0;
    if (verdict.failClosed) failClosed++;
    for (const m of verdict.rationale.matchAll(/\[([a-z0-9-]+)\]/g)) {
      const id = m[1] as string;
      ruleCounts[id] = (ruleCounts[id] ?? 0) + 1;
    }
    options.onRecord?.(outcome, verdict);
  }
  return { metrics: computeMetrics(outcomes), outcomes, ruleCounts, modelCalls, failClosed };
}
