import type { RunnableConfig } from "@langchain/core/runnables";
import { interrupt, isGraphInterrupt } from "@langchain/langgraph";
import { checkPlan, type Plan } from "../agents/schemas.js";
import type { AgentEnv, SpecialistInfo } from "../agents/types.js";
import { ModelError, UserInputError } from "../core/index.js";
import { type ApprovalDecision, type PlanApprovalRequest, readDecision } from "./approval.js";
import { contentOf } from "./item-content.js";
import { UnresolvedCallError } from "./journal.js";
import type { Runtime } from "./runtime.js";
import type { ExecutePayload, StepState, TeamStateType, TeamStatus, TeamUpdate } from "./state.js";
import { current, currentSteps, type SupervisorDecision, withheldReason } from "./team-routing.js";
import type { TeamConfig } from "./team-types.js";

const USER = "user";

/** The team's role names, as every node needs them. */
export interface TeamRoles {
  planner: string;
  verifier: string;
  supervisor: string;
  specialistNames: string[];
  specialistInfo: SpecialistInfo[];
}

export function teamRoles(c: TeamConfig): TeamRoles {
  return {
    planner: c.planner.name,
    verifier: c.verifier.name,
    supervisor: c.supervisor.name,
    specialistNames: c.specialists.map((s) => s.name),
    specialistInfo: c.specialists.map((s) => ({
      name: s.name,
      description: s.description ?? "",
      tools: s.tools ?? [],
    })),
  };
}

/** What the nodes need from the team: its config and roles, the thread's runtime, an agent's env. */
export interface TeamNodeDeps {
  config: TeamConfig;
  roles: TeamRoles;
  runtimeFor(config: RunnableConfig): Runtime;
  env(runtime: Runtime, agent: string, step: number, idem: string): AgentEnv;
  /** Outputs that replace a step's own (the tracer's counterfactual replay), by step id. */
  outputOverrides: ReadonlyMap<string, string>;
  decide(state: TeamStateType, runtime: Runtime): SupervisorDecision;
}

export function startNode(d: TeamNodeDeps) {
  const c = d.config;
  const start = async (state: TeamStateType, config: RunnableConfig): Promise<TeamUpdate> => {
    const { runtime, captured } = d.runtimeFor(config).fork();
    runtime.writer.record({ type: "status", runId: state.runId, step: 0, status: "started" });
    const task = runtime.emit({
      step: 0,
      author: USER,
      kind: "task",
      content: state.task,
      audience: ["*"],
      sensitivity: "internal",
    });
    for (const m of c.memory ?? []) {
      runtime.memory.write(m.owner, 0, m.key, m.value, {
        ...(m.sensitivity ? { sensitivity: m.sensitivity } : {}),
        ...(m.audience ? { audience: m.audience } : {}),
        derivedFrom: [],
      });
    }
    return { taskItemId: task.id, turn: 0, items: captured.items, events: captured.events };
  };
  return start;
}

export function planNode(d: TeamNodeDeps) {
  const { planner, verifier, supervisor, specialistNames, specialistInfo } = d.roles;
  const c = d.config;
  const plan = async (state: TeamStateType, config: RunnableConfig): Promise<TeamUpdate> => {
    const { runtime, captured } = d.runtimeFor(config).fork();
    const step = state.turn + 1;
    const attempt = state.plannerCalls + 1;
    runtime.writer.deliver(state.taskItemId, planner, step, "context");
    // On a replan, the planner is handed the verifications that failed.
    const failures = currentSteps(state)
      .map(([, s]) => s)
      .filter((s) => s.verified === false && s.verificationItemId);
    for (const f of failures)
      runtime.writer.deliver(f.verificationItemId as string, planner, step, "context");
    const feedback = failures
      .map((f) => f.feedback)
      .filter(Boolean)
      .join("; ");
    const made = await c.planner.impl.plan({
      task: state.task,
      specialists: specialistInfo,
      attempt,
      ...(feedback ? { feedback } : {}),
      env: d.env(runtime, planner, step, `${state.runId}:plan:${attempt}`),
    });
    try {
      checkPlan(made, specialistNames);
    } catch (error) {
      // Scenario plans are checked when the file loads, so a bad plan here came from a model.
      throw new ModelError(
        `the planner made an invalid plan: ${error instanceof Error ? error.message : String(error)}`,
        {
          agent: planner,
          step,
          cause: error,
        },
      );
    }
    const planItem = runtime.emit({
      step,
      author: planner,
      kind: "plan",
      content: made,
      audience: [supervisor, verifier, ...specialistNames],
      derivedFrom: turnContext(runtime, planner, step),
    });
    runtime.writer.deliver(planItem.id, supervisor, step, "message");
    return {
      plan: made,
      planItemId: planItem.id,
      planAttempt: state.planAttempt + 1,
      plannerCalls: attempt,
      planOrigin: attempt,
      planDecision: null,
      turn: step,
      items: captured.items,
      events: captured.events,
    };
  };
  return plan;
}

export function guardPlanNode(d: TeamNodeDeps) {
  const { planner, supervisor } = d.roles;
  const guardPlan = async (state: TeamStateType, config: RunnableConfig): Promise<TeamUpdate> => {
    const { runtime, captured } = d.runtimeFor(config).fork();
    const step = state.turn + 1;
    const planItem = runtime.log.mustGet(state.planItemId as string);
    const taskItem = runtime.log.mustGet(state.taskItemId);
    const views = (state.plan as Plan).steps.map((s) => ({
      id: s.id,
      assignee: s.assignee,
      tool: s.toolCalls[0]?.tool ?? null,
      args: s.toolCalls[0]?.args ?? {},
      dependsOn: s.dependsOn,
      toolCalls: s.toolCalls,
    }));
    const { decision, verdictItems } = await runtime.checkPlan(planItem, taskItem, views, step, [
      supervisor,
      planner,
    ]);
    const update: TeamUpdate = {
      planDecision: decision,
      planVerdictIds: verdictItems.map((v) => v.id),
      turn: step,
      items: captured.items,
      events: captured.events,
    };
    if (decision === "block") {
      const reasons = verdictItems.map((v) => (v.content as { rationale: string }).rationale).join("; ");
      update.status = "blocked";
      update.reason = `plan blocked before any of its steps ran: ${reasons}`;
    }
    return update;
  };
  return guardPlan;
}

export function approvalNode(d: TeamNodeDeps) {
  const { planner, verifier, supervisor, specialistNames } = d.roles;
  const approval = async (state: TeamStateType, config: RunnableConfig): Promise<TeamUpdate> => {
    // interrupt() comes first: the node re-runs from the top on resume, so nothing may be
    // written before it.
    const request: PlanApprovalRequest = {
      kind: "plan_approval",
      planItemId: state.planItemId as string,
      plan: state.plan as Plan,
      verdicts: state.planVerdictIds.flatMap((id) => {
        const verdict = contentOf(d.runtimeFor(config).log.item(id), "verdict");
        return verdict === undefined ? [] : [verdict];
      }),
    };
    const answer = readDecision(interrupt(request));
    const decision: ApprovalDecision =
      answer.action === "edit" && !("plan" in answer)
        ? { action: "reject", note: "an edit without a plan" }
        : answer;
    const { runtime, captured } = d.runtimeFor(config).fork();
    const step = state.turn + 1;
    const decisionItem = runtime.emit({
      step,
      author: USER,
      kind: "note",
      content: { approval: decision.action, ...(decision.note ? { note: decision.note } : {}) },
      audience: [supervisor, planner],
      labels: [`approval:${decision.action}`],
      derivedFrom: [state.planItemId as string, ...state.planVerdictIds],
    });
    const base: TeamUpdate = { turn: step, items: captured.items, events: captured.events };
    if (decision.action === "approve") return { ...base, planDecision: "allow" };
    if (decision.action === "reject" || !("plan" in decision)) {
      return {
        ...base,
        planDecision: "block",
        status: "blocked",
        reason: `plan rejected by the user${decision.note ? `: ${decision.note}` : ""}`,
      };
    }
    checkPlan(decision.plan, specialistNames);
    const edited = runtime.emit({
      step,
      author: USER,
      kind: "plan",
      content: decision.plan,
      audience: [supervisor, verifier, ...specialistNames],
      labels: ["edited"],
      derivedFrom: [decisionItem.id, state.planItemId as string],
    });
    return {
      ...base,
      plan: decision.plan,
      planItemId: edited.id,
      planAttempt: state.planAttempt + 1,
      planOrigin: 0,
      planDecision: null,
      items: captured.items,
      events: captured.events,
    };
  };
  return approval;
}

export function executeNode(d: TeamNodeDeps) {
  const { verifier, supervisor } = d.roles;
  const c = d.config;
  const execute = async (payload: ExecutePayload, config: RunnableConfig): Promise<TeamUpdate> => {
    const { runtime, captured } = d.runtimeFor(config).fork();
    // The plan comes from the log, not the payload: a payload is stored with every task.
    const plan = runtime.log.mustGet(payload.planItemId).content as Plan;
    const planStep = plan.steps.find((s) => s.id === payload.stepId);
    const member = c.specialists.find((s) => s.name === planStep?.assignee);
    if (!planStep || !member) throw new UserInputError(`unknown plan step ${payload.stepId}`);
    const me = member.name;
    const step = payload.stepNo;
    runtime.writer.deliver(payload.taskItemId, me, step, "context");
    // The plan step's arguments come from the plan: the tool calls and the output derive from it.
    runtime.writer.deliver(payload.planItemId, me, step, "context");
    const inputs: Array<{ stepId: string; output: string }> = [];
    for (const input of payload.inputs) {
      // Access control holds here too: an upstream output outside my audience is refused.
      if (runtime.writer.deliver(input.itemId, me, step, "context"))
        inputs.push({ stepId: input.stepId, output: input.output });
    }
    // On a retry the author is handed the verifier's reasons.
    if (payload.feedbackItemId) runtime.writer.deliver(payload.feedbackItemId, me, step, "message");
    const reads = c.reads?.[planStep.id] ?? [];
    for (const key of reads) runtime.memory.read(me, step, key);
    const env = d.env(runtime, me, step, `${payload.runId}:${planStep.id}:${payload.attempt}`);
    let output: string;
    let failed: string | undefined;
    try {
      const r = await member.impl.execute({
        task: payload.task,
        step: planStep,
        inputs,
        tools: member.tools ?? [],
        attempt: payload.attempt,
        planVersion: payload.planVersion,
        ...(payload.feedback ? { feedback: payload.feedback } : {}),
        env,
      });
      output = d.outputOverrides.get(planStep.id) ?? r.output;
    } catch (error) {
      // An unresolved side effect stops the run: a retried step would run it under a new key.
      if (error instanceof UserInputError || error instanceof UnresolvedCallError || isGraphInterrupt(error))
        throw error;
      failed = error instanceof Error ? error.message : String(error);
      output = `step failed: ${failed}`;
      runtime.writer.record({
        type: "error",
        runId: payload.runId,
        step,
        agent: me,
        code: "agent_error",
        message: failed,
      });
    }
    const dependents = plan.steps
      .filter((p) => p.dependsOn.includes(planStep.id))
      .map((p) => p.assignee)
      .filter((a) => a !== me);
    const sent = await runtime.send({
      from: me,
      to: [verifier, supervisor, ...new Set(dependents)],
      step,
      kind: "step_output",
      content: output,
      labels: [`plan-step:${planStep.id}`, `attempt:${payload.attempt}`, ...(failed ? ["error"] : [])],
      derivedFrom: turnContext(runtime, me, step),
    });
    const state: StepState = {
      plan: payload.planAttempt,
      attempt: payload.attempt,
      stepNo: step,
      outputItemId: sent.delivered?.id ?? null,
      output: sent.delivered
        ? typeof sent.delivered.content === "string"
          ? sent.delivered.content
          : JSON.stringify(sent.delivered.content)
        : null,
      verified: null,
      ...(sent.delivered ? {} : { feedback: withheldReason(`step ${planStep.id}'s output`, sent.verdicts) }),
    };
    return { steps: { [planStep.id]: state }, items: captured.items, events: captured.events };
  };
  return execute;
}

export function verifyNode(d: TeamNodeDeps) {
  const { planner, verifier, supervisor } = d.roles;
  const c = d.config;
  const verify = async (state: TeamStateType, config: RunnableConfig): Promise<TeamUpdate> => {
    const { runtime, captured } = d.runtimeFor(config).fork();
    const pending = currentSteps(state).filter(([, s]) => s.verified === null);
    const step = Math.max(state.turn, ...pending.map(([, s]) => s.stepNo)) + 1;
    const updates: Record<string, StepState> = {};
    for (const [stepId, s] of pending) {
      const planStep = (state.plan as Plan).steps.find((p) => p.id === stepId);
      if (!planStep) continue;
      if (s.outputItemId === null) {
        updates[stepId] = { ...s, verified: false, feedback: s.feedback ?? "no output" };
        continue;
      }
      const v = await c.verifier.impl.verify({
        task: state.task,
        subject: { kind: "step", step: planStep, planVersion: state.planOrigin },
        output: s.output ?? "",
        env: d.env(runtime, verifier, step, `${state.runId}:verify:${stepId}:${s.attempt}`),
      });
      const item = runtime.emit({
        step,
        author: verifier,
        kind: "verification",
        content: { stepId, attempt: s.attempt, pass: v.pass, reasons: v.reasons },
        audience: [supervisor, planStep.assignee, planner],
        labels: [v.pass ? "pass" : "fail", `plan-step:${stepId}`],
        derivedFrom: [s.outputItemId],
      });
      runtime.writer.deliver(item.id, supervisor, step, "message");
      updates[stepId] = {
        ...s,
        verified: v.pass,
        verificationItemId: item.id,
        ...(v.pass ? {} : { feedback: v.reasons.join("; ") }),
      };
    }
    return { steps: updates, turn: step, items: captured.items, events: captured.events };
  };
  return verify;
}

export function superviseNode(d: TeamNodeDeps) {
  const { planner, supervisor } = d.roles;
  const supervise = async (state: TeamStateType, config: RunnableConfig): Promise<TeamUpdate> => {
    const { runtime, captured } = d.runtimeFor(config).fork();
    const step = state.turn + 1;
    const decision = d.decide(state, runtime);
    // The decision rests on the verifications of the turn just before it.
    const verificationIds = currentSteps(state)
      .map(([, s]) => s.verificationItemId)
      .filter((id): id is string => id !== undefined && runtime.log.item(id)?.step === state.turn);
    runtime.emit({
      step,
      author: supervisor,
      kind: "note",
      content: decision,
      audience: [supervisor, planner],
      labels: [`route:${decision.route}`],
      derivedFrom: verificationIds,
    });
    const update: TeamUpdate = { turn: step, items: captured.items, events: captured.events };
    if (decision.route === "stop") {
      update.status = "stopped";
      update.reason = decision.reason;
      runtime.writer.record({
        type: "status",
        runId: state.runId,
        step,
        status: "stopped",
        reason: decision.reason,
      });
    } else if (decision.route === "fail" || decision.route === "block") {
      update.status = decision.route === "fail" ? "failed" : "blocked";
      update.reason = decision.reason;
    }
    return update;
  };
  return supervise;
}

export function finalizeNode(d: TeamNodeDeps) {
  const { verifier, supervisor } = d.roles;
  const c = d.config;
  const finalize = async (state: TeamStateType, config: RunnableConfig): Promise<TeamUpdate> => {
    const { runtime, captured } = d.runtimeFor(config).fork();
    const plan = state.plan as Plan;
    let step = state.turn + 1;
    const outputs = plan.steps.map((p) => ({ stepId: p.id, output: current(state, p.id)?.output ?? "" }));
    const answer = await c.supervisor.impl.compose({
      task: state.task,
      outputs,
      env: d.env(runtime, supervisor, step, `${state.runId}:final:${state.planAttempt}`),
    });
    const sent = await runtime.send({
      from: supervisor,
      to: [verifier, USER],
      step,
      kind: "final_answer",
      content: answer,
      derivedFrom: turnContext(runtime, supervisor, step)
        .concat(plan.steps.map((p) => current(state, p.id)?.outputItemId).filter((id): id is string => !!id))
        .filter((id, i, all) => all.indexOf(id) === i),
    });
    step += 1;
    if (!sent.delivered) {
      return {
        status: "blocked",
        reason: withheldReason("the final answer", sent.verdicts),
        turn: step,
        items: captured.items,
        events: captured.events,
      };
    }
    const text =
      typeof sent.delivered.content === "string"
        ? sent.delivered.content
        : JSON.stringify(sent.delivered.content);
    const v = await c.verifier.impl.verify({
      task: state.task,
      subject: { kind: "final" },
      output: text,
      env: d.env(runtime, verifier, step, `${state.runId}:verify-final:${state.planAttempt}`),
    });
    runtime.emit({
      step,
      author: verifier,
      kind: "verification",
      content: { final: true, pass: v.pass, reasons: v.reasons },
      audience: [supervisor, USER],
      labels: [v.pass ? "pass" : "fail", "final"],
      derivedFrom: [sent.delivered.id],
    });
    const status: TeamStatus = v.pass ? "finished" : "failed";
    runtime.writer.record({
      type: "status",
      runId: state.runId,
      step,
      status: v.pass ? "finished" : "failed",
      ...(v.pass ? {} : { reason: v.reasons.join("; ") }),
    });
    return {
      status,
      reason: v.pass ? null : `final answer rejected: ${v.reasons.join("; ")}`,
      finalAnswer: text,
      turn: step,
      items: captured.items,
      events: captured.events,
    };
  };
  return finalize;
}

/** What the agent was given or produced in this turn: the exact context of what it writes next. */
export function turnContext(runtime: Runtime, agent: string, step: number): string[] {
  const out: string[] = [];
  const seen = new Set<string>();
  for (const e of runtime.log.seenBy(runtime.runId, agent, step)) {
    if (e.step !== step || seen.has(e.item.id)) continue;
    if (e.via === "authored" && (e.item.kind === "verdict" || e.item.author !== agent)) continue;
    seen.add(e.item.id);
    out.push(e.item.id);
  }
  return out;
}
