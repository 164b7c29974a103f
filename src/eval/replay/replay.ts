import type { Item } from "../../core/index.js";
import { UserInputError } from "../../core/index.js";
import { teamFromScenario } from "../../graph/from-scenario.js";
import { parseScenario } from "../../graph/scenario.js";
import { scenarioGuards } from "../../graph/scenario-guards.js";
import { SqliteRunStore } from "../../graph/sqlite.js";
import type { Replayer, ReplayRequest } from "../../trace/index.js";

/** The plan step whose output a candidate item stands for (its own output, or its author's in that turn). */
function stepOutputOf(
  items: ReadonlyArray<Item>,
  itemId: string,
): { output: Item; stepId: string } | undefined {
  const item = items.find((i) => i.id === itemId);
  if (!item) return undefined;
  const output =
    item.kind === "step_output"
      ? item
      : items.find((i) => i.kind === "step_output" && i.author === item.author && i.step === item.step);
  const stepId = output?.labels.find((l) => l.startsWith("plan-step:"))?.slice("plan-step:".length);
  return output && stepId ? { output, stepId } : undefined;
}

/** A later attempt of the same step that the verifier accepted: the run's own correction. */
function acceptedRetry(items: ReadonlyArray<Item>, stepId: string, after: Item): string | undefined {
  const passed = items.find(
    (i) =>
      i.kind === "verification" &&
      i.step > after.step &&
      (i.content as { stepId?: string; pass?: boolean }).stepId === stepId &&
      (i.content as { pass?: boolean }).pass === true,
  );
  const out = passed ? items.find((i) => i.id === passed.derivedFrom[0]) : undefined;
  return typeof out?.content === "string" ? out.content : undefined;
}

/**
 * Replays a checkpointed run (`quorum run --db`) from the checkpoint before a suspect item,
 * with a corrected output: the one given, or a later attempt of the same step that the verifier
 * accepted. The failure going away confirms the suspect.
 */
export function checkpointReplayer(db: string, threadId: string, corrected?: string): Replayer {
  return async (request: ReplayRequest) => {
    const target = stepOutputOf(request.input.items, request.candidate.itemId);
    if (!target) return { fixed: false, detail: "not an agent's step output: nothing to substitute" };
    const text =
      (typeof request.corrected === "string" ? request.corrected : undefined) ??
      corrected ??
      acceptedRetry(request.input.items, target.stepId, target.output);
    if (text === undefined) {
      return {
        fixed: false,
        detail: `no corrected output for step ${target.stepId} (give one with --corrected)`,
      };
    }
    const store = new SqliteRunStore(db);
    try {
      const thread = await store.loadThread(threadId);
      if (!thread) {
        throw new UserInputError(`no thread ${threadId} in the database`, {
          file: db,
          hint: "replay needs the --db the run used",
        });
      }
      const scenario = parseScenario(thread.scenarioText, thread.scenarioPath);
      const team = teamFromScenario(scenario, {
        guards: scenarioGuards(scenario, thread.scenarioPath),
        checkpointer: store.checkpointer,
        journal: store.journal,
      });
      const r = await team.replayFrom(threadId, target.output.id, { [target.stepId]: text });
      return {
        fixed: r.status === "finished",
        detail: `re-ran from the checkpoint before ${target.output.id} with step ${target.stepId} corrected: ${r.status}${r.reason ? ` (${r.reason})` : ""}`,
      };
    } finally {
      store.close();
    }
  };
}
