import type { BaseChatModel } from "@langchain/core/language_models/chat_models";
import type { Item, ToolSpec } from "../core/index.js";
import type { Plan, PlanStep, Verification } from "./schemas.js";

/**
 * What an agent may do during its turn. The graph builds it from the runtime, so every tool call
 * and model call is recorded; agents never reach state behind the runtime's back.
 */
export interface AgentEnv {
  runId: string;
  agent: string;
  step: number;
  /** Items handed to the agent for this turn (its context). */
  context: Item[];
  callTool(
    tool: ToolSpec,
    args: unknown,
    options: { callIndex: number },
  ): Promise<{ value: unknown; item: Item | null; status: string }>;
  recordModelCall(model: string, inputTokens: number, outputTokens: number): void;
  /** Records a note of the agent's own (say, one step inside a wrapped graph), with provenance. */
  note?(content: unknown, labels?: string[]): void;
  /** The model for this agent, when running in model mode. */
  model?: BaseChatModel;
}

export interface SpecialistInfo {
  name: string;
  description: string;
  tools: ReadonlyArray<ToolSpec>;
}

export interface Planner {
  plan(input: {
    task: string;
    specialists: ReadonlyArray<SpecialistInfo>;
    feedback?: string;
    attempt: number;
    env: AgentEnv;
  }): Promise<Plan>;
}

export interface StepInput {
  stepId: string;
  output: string;
}

export interface Specialist {
  execute(input: {
    task: string;
    step: PlanStep;
    inputs: ReadonlyArray<StepInput>;
    tools: ReadonlyArray<ToolSpec>;
    attempt: number;
    /** Which planner call made the plan (1 = first plan, 0 = edited by the user). */
    planVersion: number;
    feedback?: string;
    env: AgentEnv;
  }): Promise<{ output: string }>;
}

export interface VerifyInput {
  task: string;
  /** `final` checks the final answer; otherwise the step's output. */
  subject: { kind: "step"; step: PlanStep; planVersion: number } | { kind: "final" };
  output: string;
  env: AgentEnv;
}

export interface Verifier {
  verify(input: VerifyInput): Promise<Verification>;
}

export interface Supervisor {
  /** Writes the final answer from the verified step outputs. */
  compose(input: { task: string; outputs: ReadonlyArray<StepInput>; env: AgentEnv }): Promise<string>;
}
