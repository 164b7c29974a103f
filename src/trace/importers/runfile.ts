import { fromZodError, RunFileSchema } from "../../core/index.js";
import type { TraceInput } from "../types.js";

/** Our own saved run (`runs/<runId>.json`): exact provenance, no inference needed. */
export function parseRunFile(raw: unknown, file: string): TraceInput {
  const parsed = RunFileSchema.safeParse(raw);
  if (!parsed.success)
    throw fromZodError(parsed.error, { file, hint: "expected a quorum run file (format quorum.run)" });
  const run = parsed.data;
  const input: TraceInput = {
    source: "run",
    origin: file,
    task: run.task,
    items: run.items,
    events: run.events,
    finalAnswer: run.finalAnswer,
    status: run.status,
  };
  if (run.reason !== undefined) input.reason = run.reason;
  return input;
}
