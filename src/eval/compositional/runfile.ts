import type { RunFile } from "../../core/index.js";
import { runtimeRunFile } from "../../graph/runfile.js";
import type { RunOutcome } from "./run.js";
import type { Scenario } from "./scenario.js";

/**
 * One compositional run as a run file, for `quorum trace` and friends. Private and sensitive
 * items (table rows, answers made of them, withheld drafts) are redacted unless asked otherwise.
 */
export function toRunFile(
  outcome: RunOutcome,
  scenario: Scenario,
  options: { includePrivate?: boolean } = {},
): RunFile {
  const { runtime, inference } = outcome;
  const spec = scenario.runs[outcome.kind];
  return runtimeRunFile(runtime, {
    scenario: scenario.id,
    task: spec.goal,
    status: "finished",
    ...(inference.succeeded
      ? {}
      : { reason: `inference failed: steps ${inference.missingSteps.join(", ")} unanswered` }),
    finalAnswer: inference.succeeded ? spec.result : null,
    agents: [scenario.asker, ...scenario.defenders],
    ...(options.includePrivate !== undefined ? { includePrivate: options.includePrivate } : {}),
  });
}
