import { END, Send } from "@langchain/langgraph";
import type { Plan } from "../agents/schemas.js";
import type { Item } from "../core/index.js";
import type { Verdict } from "../guards/types.js";
import type { Runtime } from "./runtime.js";
import type { Budgets } from "./scenario.js";
import type { ExecutePayload, StepState, TeamStateType } from "./state.js";

export interface SupervisorDecision {
  route: "retry" | "replan" | "continue" | "finalize" | "stop" | "fail" | "block";
  reason: string;
  steps?: string[];
}

/** The supervisor's routing: retry a failed step, replan, stop on budgets, or go on. */
export function decide(
  state: TeamStateType,
  runtime: Runtime,
  b: Budgets,
  started: number | undefined,
): SupervisorDecision {
  const usage = runtime.meter.totals;
  if (state.turn >= b.maxSteps) return { route: "stop", reason: `step budget of ${b.maxSteps} reached` };
  if (usage.modelCalls >= b.maxModelCalls)
    return { route: "stop", reason: `model call budget of ${b.maxModelCalls} reached` };
  if (usage.inputTokens + usage.outputTokens >= b.maxTokens)
    return { route: "stop", reason: `token budget of ${b.maxTokens} reached` };
  if (started !== undefined && Date.now() - started > b.maxWallMs)
    return { route: "stop", reason: `wall time budget of ${b.maxWallMs} ms reached` };
  const failed = currentSteps(state).filter(([, s]) => s.verified === false);
  // A withheld output is not retried: the guard decided from what it carries by provenance,
  // which the same step on the same inputs carries again. The run ends naming that guard.
  const withheld = failed.find(([id, s]) => isWithheld(state, id, s));
  if (withheld)
    return { route: "block", reason: withheld[1].feedback ?? `step ${withheld[0]}'s output was withheld` };
  if (failed.length > 0) {
    const exhausted = failed.filter(([, s]) => s.attempt > b.maxRetries);
    if (exhausted.length === 0)
      return { route: "retry", steps: failed.map(([id]) => id), reason: "verification failed" };
    // Every planner call after the first was a replan.
    if (state.plannerCalls - 1 < b.maxReplans)
      return {
        route: "replan",
        steps: exhausted.map(([id]) => id),
        reason: `retries exhausted for ${exhausted.map(([id]) => id).join(", ")}`,
      };
    return {
      route: "fail",
      reason: `verification kept failing for ${exhausted.map(([id]) => id).join(", ")} and no replans are left`,
    };
  }
  const plan = state.plan as Plan;
  const done = plan.steps.every((s) => current(state, s.id)?.verified === true);
  return done
    ? { route: "finalize", reason: "every step verified" }
    : { route: "continue", reason: "next steps are ready" };
}

export function afterGuard(state: TeamStateType) {
  if (state.status !== "running") return END;
  if (state.planDecision === "needs_approval") return "approval";
  return dispatch(state);
}

export function afterApproval(state: TeamStateType) {
  if (state.status !== "running") return END;
  if (state.planDecision === null) return "guard_plan"; // an edited plan is checked again
  return dispatch(state);
}

export function afterSupervise(state: TeamStateType) {
  if (state.status !== "running") return END;
  const d = lastDecision(state);
  if (d?.route === "replan") return "planner";
  if (d?.route === "finalize") return "finalize";
  return dispatch(state);
}

export function dispatch(state: TeamStateType): Send[] | string {
  const plan = state.plan as Plan;
  const ready = plan.steps.filter((s) => {
    if (current(state, s.id)?.verified === true) return false;
    return s.dependsOn.every((d) => current(state, d)?.verified === true);
  });
  if (ready.length === 0) return "finalize";
  return ready.map((s, i) => {
    const prev = current(state, s.id);
    const payload: ExecutePayload = {
      runId: state.runId,
      task: state.task,
      taskItemId: state.taskItemId,
      stepId: s.id,
      stepNo: state.turn + 1 + i,
      attempt: (prev?.attempt ?? 0) + 1,
      planAttempt: state.planAttempt,
      planVersion: state.planOrigin,
      ...(prev?.feedback ? { feedback: prev.feedback } : {}),
      ...(prev?.verified === false && prev.verificationItemId
        ? { feedbackItemId: prev.verificationItemId }
        : {}),
      inputs: s.dependsOn.map((d) => ({
        stepId: d,
        itemId: state.steps[d]?.outputItemId as string,
        output: state.steps[d]?.output ?? "",
      })),
      planItemId: state.planItemId as string,
    };
    return new Send("execute", payload);
  });
}

/** Why a message guard withheld something, naming the guards that did not allow it. */
export function withheldReason(what: string, verdicts: ReadonlyArray<Verdict>): string {
  const against = verdicts.filter((v) => v.decision !== "allow");
  const why = against.map((v) => `guard ${v.guard}: ${v.rationale}`).join("; ");
  return `${what} was withheld by ${why || "a message guard"}`;
}

/** True when the step's output at its last attempt was withheld by a message guard. */
function isWithheld(state: TeamStateType, stepId: string, s: StepState): boolean {
  if (s.outputItemId !== null) return false;
  const label = `plan-step:${stepId}`;
  return state.items.some(
    (i) =>
      i.kind === "step_output" &&
      i.step === s.stepNo &&
      i.labels.includes("withheld") &&
      i.labels.includes(label),
  );
}

export function lastDecision(state: TeamStateType): SupervisorDecision | undefined {
  for (let i = state.items.length - 1; i >= 0; i--) {
    const item = state.items[i] as Item;
    if (item.kind === "note" && item.labels.some((l) => l.startsWith("route:")))
      return item.content as SupervisorDecision;
  }
  return undefined;
}

/** Step states of the current plan only: a replan starts every step afresh. */
export function currentSteps(state: TeamStateType): Array<[string, StepState]> {
  const plan = state.plan;
  if (!plan) return [];
  return plan.steps
    .map((p) => [p.id, current(state, p.id)] as const)
    .filter((e): e is [string, StepState] => e[1] !== undefined);
}

export function current(state: TeamStateType, stepId: string): StepState | undefined {
  const s = state.steps[stepId];
  return s && s.plan === state.planAttempt ? s : undefined;
}
