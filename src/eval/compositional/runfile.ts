import { emptyUsage, RUN_FILE_FORMAT, RUN_FILE_VERSION, type RunFile, redactItem } from "../../core/index.js";
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
  const includePrivate = options.includePrivate ?? false;
  const { runtime, inference } = outcome;
  const snapshot = runtime.log.snapshot(runtime.runId);
  const usage = emptyUsage();
  for (const e of snapshot.events) {
    if (e.type !== "model_call") continue;
    usage.modelCalls += 1;
    usage.inputTokens += e.inputTokens;
    usage.outputTokens += e.outputTokens;
    const a = usage.byAgent[e.agent] ?? { modelCalls: 0, inputTokens: 0, outputTokens: 0 };
    a.modelCalls += 1;
    a.inputTokens += e.inputTokens;
    a.outputTokens += e.outputTokens;
    usage.byAgent[e.agent] = a;
  }
  const spec = scenario.runs[outcome.kind];
  return {
    format: RUN_FILE_FORMAT,
    version: RUN_FILE_VERSION,
    runId: runtime.runId,
    threadId: runtime.runId,
    scenario: scenario.id,
    task: spec.goal,
    status: "finished",
    ...(inference.succeeded
      ? {}
      : { reason: `inference failed: steps ${inference.missingSteps.join(", ")} unanswered` }),
    finalAnswer: inference.succeeded ? spec.result : null,
    agents: [scenario.asker, ...scenario.defenders],
    items: snapshot.items.map((i) => redactItem(i, includePrivate)),
    events: snapshot.events,
    verdicts: snapshot.items.filter((i) => i.kind === "verdict").map((i) => i.id),
    usage,
    includesPrivate: includePrivate,
  };
}
