import type { Candidate, RootCauseReport } from "./rootcause.js";
import type { TraceInput } from "./types.js";

/**
 * Counterfactual replay hook. The tracer does not know how to re-run a team; whoever does (the
 * team graph, from its checkpoint before the suspect item) implements `Replayer` and the tracer
 * marks candidates with the outcome. A replay that makes the failure go away confirms the
 * candidate; one that does not refutes it.
 */
export interface ReplayRequest {
  input: TraceInput;
  candidate: Candidate;
  /** The corrected output to substitute for the suspect item, when the caller has one. */
  corrected?: unknown;
}

export interface ReplayOutcome {
  /** True when the re-run no longer shows the failure. */
  fixed: boolean;
  detail: string;
  /** Nothing could be replayed (no correction to substitute): the candidate stays a suspect. */
  inconclusive?: boolean;
}

export type Replayer = (request: ReplayRequest) => Promise<ReplayOutcome>;

/** Records a replay outcome on one candidate; a confirmed candidate becomes the root cause. */
export function applyReplay(
  report: RootCauseReport,
  itemId: string,
  outcome: ReplayOutcome,
): RootCauseReport {
  const candidates = report.candidates.map((c) =>
    c.itemId === itemId
      ? {
          ...c,
          status: outcome.fixed
            ? ("confirmed" as const)
            : outcome.inconclusive
              ? ("suspect" as const)
              : ("refuted" as const),
          replay: { ...outcome },
        }
      : c,
  );
  const confirmed = candidates.find((c) => c.status === "confirmed");
  const ordered = confirmed ? [confirmed, ...candidates.filter((c) => c !== confirmed)] : candidates;
  return { ...report, candidates: ordered, rootCause: ordered[0] ?? null };
}

/**
 * Replays the top candidates in rank order until one is confirmed (at most `maxCandidates`
 * replays, default 3, since each replay re-runs part of the team).
 */
export async function confirmByReplay(
  report: RootCauseReport,
  input: TraceInput,
  replay: Replayer,
  options: { maxCandidates?: number; corrected?: (c: Candidate) => unknown } = {},
): Promise<RootCauseReport> {
  let current = report;
  const max = options.maxCandidates ?? 3;
  for (const candidate of report.candidates.slice(0, max)) {
    const request: ReplayRequest = { input, candidate };
    const corrected = options.corrected?.(candidate);
    if (corrected !== undefined) request.corrected = corrected;
    const outcome = await replay(request);
    current = applyReplay(current, candidate.itemId, outcome);
    if (outcome.fixed) break;
  }
  return current;
}
