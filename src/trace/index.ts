import { buildIdg } from "./idg.js";
import { confirmByReplay, type Replayer } from "./replay.js";
import { findRootCause, type RootCauseReport } from "./rootcause.js";
import type { Idg, TraceInput } from "./types.js";
import { buildView, type TraceView } from "./view.js";

export * from "./exporters/index.js";
export { buildIdg, itemText, upstream } from "./idg.js";
export * from "./importers/index.js";
export * from "./otel/index.js";
export * from "./replay.js";
export * from "./rootcause.js";
export * from "./schema.js";
export * from "./signals.js";
export { extractTokens, type Token, tokenNeedle } from "./tokens.js";
export * from "./types.js";
export * from "./view.js";

export interface TraceOptions {
  groundTruth?: string;
  includePrivate?: boolean;
  /**
   * Counterfactual replay of the top candidates (our own runs only). The team graph supplies the
   * replayer; without one, candidates stay `suspect`.
   */
  replay?: Replayer;
  maxReplays?: number;
}

export interface TraceResult {
  input: TraceInput;
  idg: Idg;
  report: RootCauseReport;
  view: TraceView;
}

/** Build the IDG, search for the root cause, optionally confirm by replay, and prepare the export view. */
export async function traceRun(input: TraceInput, options: TraceOptions = {}): Promise<TraceResult> {
  const idg = buildIdg(input);
  let report = findRootCause(
    input,
    idg,
    options.groundTruth !== undefined ? { groundTruth: options.groundTruth } : {},
  );
  if (options.replay && input.source === "run") {
    report = await confirmByReplay(report, input, options.replay, { maxCandidates: options.maxReplays ?? 3 });
  }
  const view = buildView(idg, report, {
    includePrivate: options.includePrivate ?? false,
    origin: input.origin,
    task: input.task,
  });
  return { input, idg, report, view };
}
