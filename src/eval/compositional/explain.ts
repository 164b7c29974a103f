import type { Verdict } from "../../guards/types.js";
import type { RunOutcome } from "./run.js";
import type { Scenario } from "./scenario.js";

/**
 * One run in words: whether the inference succeeded, which steps went unanswered, and each
 * verdict that withheld something, with its rationale. For `--explain` and the demo.
 */
export function explainRun(outcome: RunOutcome, scenario: Scenario): string[] {
  const { inference, runtime } = outcome;
  const head = `${outcome.defense}/${outcome.adversary} ${scenario.id} ${outcome.kind}: ${
    inference.succeeded ? "inference succeeded" : "inference failed"
  }`;
  const lines = [head];
  const steps = scenario.runs[outcome.kind].steps;
  for (const s of inference.missingSteps) lines.push(`  unanswered step ${s}: ${steps[s]?.text ?? ""}`);
  for (const item of runtime.log.items({ runId: runtime.runId, kind: "verdict" })) {
    const v = item.content as Verdict;
    if (v.decision === "allow") continue;
    const draft = item.derivedFrom[0] !== undefined ? runtime.log.item(item.derivedFrom[0]) : undefined;
    const from = draft ? ` (${draft.kind} from ${draft.author})` : "";
    lines.push(`  ${v.guard} ${v.decision} at step ${item.step}${from}: ${v.rationale}`);
  }
  return lines;
}
