import { UserInputError } from "../../core/index.js";
import type { Invocable, ModelRecorder } from "../../models/index.js";
import type { PlanGuard, PlanGuardInput, Verdict } from "../types.js";
import { fromPlannerPlan } from "./adapters.js";
import { callJudge } from "./judge.js";
import type { NormalisedPlan, ToolDescriptor } from "./model.js";
import { loadDefaultPolicy, type Policy } from "./policy.js";
import { evaluateRules } from "./rules.js";
import { verdictFromFindings } from "./verdict.js";

export type PlanGuardMode = "rules" | "judge" | "layered";

export interface PlanGuardOptions {
  /** Defaults to the shipped `policies/default.yaml`. */
  policy?: Policy;
  /** A chat model for `judge` and `layered` modes. */
  judge?: Invocable;
  mode?: PlanGuardMode;
  name?: string;
  /** The run's tools with their declared effects. */
  tools?: ReadonlyArray<ToolDescriptor>;
  /** Where judge token usage goes (the Runtime, or a UsageMeter). */
  recorder?: ModelRecorder;
}

export interface NormalisedPlanGuard extends PlanGuard {
  readonly mode: PlanGuardMode;
  readonly policy: Policy;
  /** Checks a plan already in the normalised form (datasets, files, other frameworks). */
  checkNormalised(plan: NormalisedPlan, step?: number): Promise<Verdict>;
}

/**
 * The pre-execution plan guard. `rules`: the policy's deterministic rules, no model call.
 * `judge`: one model call with a Safiron-style prompt. `layered`: rules first; the judge sees
 * only plans the rules let through. A judge reply that cannot be parsed blocks (fail closed).
 */
export function createPlanGuard(options: PlanGuardOptions = {}): NormalisedPlanGuard {
  const mode = options.mode ?? "rules";
  const policy = options.policy ?? loadDefaultPolicy();
  const name = options.name ?? `plan-${mode}`;
  const judge = options.judge;
  if (mode !== "rules" && judge === undefined) {
    throw new UserInputError(`plan guard mode "${mode}" needs a judge model`, {
      field: "mode",
      hint: "pass a chat model as `judge`, or use mode rules",
    });
  }
  const tools = options.tools ?? [];

  async function checkNormalised(plan: NormalisedPlan, step = 0): Promise<Verdict> {
    if (mode !== "judge") {
      const verdict = verdictFromFindings(name, evaluateRules(plan, policy, { tools }), policy.riskTypeOrder);
      if (mode === "rules" || verdict.flagged) return verdict;
    }
    return judgeVerdict(plan, step);
  }

  async function judgeVerdict(plan: NormalisedPlan, step: number): Promise<Verdict> {
    const model = judge as Invocable;
    let result: Awaited<ReturnType<typeof callJudge>>;
    try {
      result = await callJudge(model, plan, {
        step,
        ...(options.recorder ? { recorder: options.recorder } : {}),
      });
    } catch (error) {
      return failClosed(`judge call failed: ${error instanceof Error ? error.message : String(error)}`, 1, 0);
    }
    const { parse, tokens } = result;
    if (!parse.ok) return failClosed(`judge reply unparseable (${parse.problem})`, 1, tokens);
    if (!parse.flagged) {
      return {
        guard: name,
        hook: "plan",
        decision: "allow",
        flagged: false,
        rationale: "judge: no risks",
        modelCalls: 1,
        tokens,
      };
    }
    return {
      guard: name,
      hook: "plan",
      decision: policy.judge.decision,
      flagged: true,
      riskType: parse.riskType,
      rationale: `judge: ${parse.explanation}`,
      stepIndices: plan.steps.map((s) => s.index),
      modelCalls: 1,
      tokens,
    };
  }

  function failClosed(why: string, modelCalls: number, tokens: number): Verdict {
    return {
      guard: name,
      hook: "plan",
      decision: "block",
      flagged: true,
      riskType: policy.judge.riskTypeFallback,
      rationale: `${why}; blocking (fail closed)`,
      failClosed: true,
      modelCalls,
      tokens,
    };
  }

  return {
    name,
    mode,
    policy,
    checkNormalised,
    checkPlan(input: PlanGuardInput): Promise<Verdict> {
      const plan = fromPlannerPlan({
        log: input.log,
        runId: input.runId,
        task: input.task,
        steps: input.steps,
        tools,
      });
      return checkNormalised(plan, input.step);
    },
  };
}
