import { Annotation, DeltaChannel } from "@langchain/langgraph";
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

/**
 * Appends a batch of writes (each an array, possibly empty) in order: associative, as DeltaChannel
 * asks. One copy of the state per batch, not per write: a resumed thread replays thousands.
 */
function appendAll<T>(state: T[], writes: Array<T[] | undefined>): T[] {
  const nonEmpty = writes.filter((w): w is T[] => w !== undefined && w.length > 0);
  if (nonEmpty.length === 0) return state;
  if (nonEmpty.length === 1) return state.concat(nonEmpty[0] as T[]);
  const out = state.slice();
  for (const w of nonEmpty) for (const x of w) out.push(x);
  return out;
}

/** Merges a batch of partial step maps in order (later keys win): associative too, one copy. */
function mergeAll(
  state: Record<string, StepState>,
  writes: Array<Record<string, StepState> | undefined>,
): Record<string, StepState> {
  const out = { ...state };
  for (const w of writes) if (w) Object.assign(out, w);
  return out;
}

/**
 * No periodic full copy: a checkpoint stores only what its superstep appended, and a read
 * replays the writes on the checkpoint's branch (LangGraph still writes one full copy after
 * its own bound of supersteps, which keeps replay depth finite on very long threads).
 */
const NO_SNAPSHOT = Number.MAX_SAFE_INTEGER;

/** An append-only channel: each checkpoint stores only the superstep's new entries. */
function appendOnly<T>() {
  return new DeltaChannel<T[], T[] | undefined>(appendAll, {
    snapshotFrequency: NO_SNAPSHOT,
    initialValueFactory: () => [],
  });
}

/**
 * The team's LangGraph state. The log (items and events) is part of it, so every checkpoint
 * leads to the provenance needed to resume, audit or trace the run. The log and the per-step
 * records are delta channels: a checkpoint holds what its superstep added, never the whole log
 * again, so storage grows linearly with the run.
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
  steps: new DeltaChannel<Record<string, StepState>, Record<string, StepState> | undefined>(mergeAll, {
    snapshotFrequency: NO_SNAPSHOT,
    initialValueFactory: () => ({}),
  }),
  /** Logical step counter: one agent turn = one step. */
  turn: Annotation<number>({ reducer: (_a, b) => b, default: () => 0 }),
  status: Annotation<TeamStatus>({ reducer: (_a, b) => b, default: () => "running" }),
  reason: Annotation<string | null>({ reducer: (_a, b) => b, default: () => null }),
  finalAnswer: Annotation<string | null>({ reducer: (_a, b) => b, default: () => null }),
  items: appendOnly<Item>(),
  events: appendOnly<RunEvent>(),
});

export type TeamStateType = typeof TeamState.State;
export type TeamUpdate = typeof TeamState.Update;

/** What the supervisor sends to the execute node for one plan step (LangGraph `Send`). */
export interface ExecutePayload {
  runId: string;
  task: string;
  taskItemId: string;
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
  /**
   * The plan item (its content is the plan), from which what the specialist does is derived. Not
   * the plan itself: LangGraph stores every task's payload, and a copy of the plan in each would
   * grow storage with the square of its length.
   */
  planItemId: string;
}
