import { Annotation } from "@langchain/langgraph";
import type { Plan } from "../agents/schemas.js";
import type { Item, RunEvent } from "../core/index.js";

export interface StepState {
  /** Which plan (planAttempt) this state belongs to. */
  plan: number;
  attempt: number;
  /** Logical step number of the attempt's execution. */
  stepNo: number;
  outputItemId: string | null;
  output: string | null;
  /** null until the verifier has looked at this attempt. */
  verified: boolean | null;
  feedback?: string;
  verificationItemId?: string;
}

export type TeamStatus = "running" | "finished" | "failed" | "blocked" | "stopped";

const concat = <T>(a: T[], b: T[] | undefined): T[] => (b && b.length > 0 ? a.concat(b) : a);

/**
 * The team's LangGraph state. The log (items and events) is part of it, so every checkpoint
 * holds the provenance needed to resume, audit or trace the run.
 */
export const TeamState = Annotation.Root({
  runId: Annotation<string>(),
  task: Annotation<string>(),
  taskItemId: Annotation<string>(),
  plan: Annotation<Plan | null>({ reducer: (_a, b) => b, default: () => null }),
  planItemId: Annotation<string | null>({ reducer: (_a, b) => b, default: () => null }),
  /** 1 for the first plan, +1 per replan. */
  planAttempt: Annotation<number>({ reducer: (_a, b) => b, default: () => 0 }),
  /** How many times the planner was asked (the first plan is 1). */
  plannerCalls: Annotation<number>({ reducer: (_a, b) => b, default: () => 0 }),
  /** Which planner call made the current plan; 0 when the user edited it. */
  planOrigin: Annotation<number>({ reducer: (_a, b) => b, default: () => 0 }),
  planDecision: Annotation<string | null>({ reducer: (_a, b) => b, default: () => null }),
  /** Verdict items on the current plan, for the approval interrupt. */
  planVerdictIds: Annotation<string[]>({ reducer: (_a, b) => b, default: () => [] }),
  steps: Annotation<Record<string, StepState>>({
    reducer: (a, b) => ({ ...a, ...b }),
    default: () => ({}),
  }),
  /** Logical step counter: one agent turn = one step. */
  turn: Annotation<number>({ reducer: (_a, b) => b, default: () => 0 }),
  status: Annotation<TeamStatus>({ reducer: (_a, b) => b, default: () => "running" }),
  reason: Annotation<string | null>({ reducer: (_a, b) => b, default: () => null }),
  finalAnswer: Annotation<string | null>({ reducer: (_a, b) => b, default: () => null }),
  items: Annotation<Item[]>({ reducer: concat, default: () => [] }),
  events: Annotation<RunEvent[]>({ reducer: concat, default: () => [] }),
});

export type TeamStateType = typeof TeamState.State;
export type TeamUpdate = typeof TeamState.Update;

/** What the supervisor sends to the execute node for one plan step (LangGraph `Send`). */
export interface ExecutePayload {
  runId: string;
  task: string;
  taskItemId: string;
  /** The plan item this step comes from: what the specialist does is derived from it. */
  planItemId?: string;
  stepId: string;
  stepNo: number;
  attempt: number;
  planAttempt: number;
  /** The planner call that made the plan (0 = edited by the user), for scripted agents. */
  planVersion: number;
  feedback?: string;
  /** The failed verification the feedback comes from (handed to the author on a retry). */
  feedbackItemId?: string;
  /** Outputs of the steps this one depends on. */
  inputs: Array<{ stepId: string; itemId: string; output: string }>;
  plan: Plan;
}
