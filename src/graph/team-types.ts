import type { BaseChatModel } from "@langchain/core/language_models/chat_models";
import type { BaseCheckpointSaver } from "@langchain/langgraph";
import type { Planner, Specialist, Supervisor, Verifier } from "../agents/types.js";
import type {
  Item,
  Logger,
  RunEvent,
  Sensitivity,
  TeamEvent,
  TeamObserver,
  ToolSpec,
  Usage,
} from "../core/index.js";
import type { Guards } from "../guards/types.js";
import type { ApprovalRequest } from "./approval.js";
import type { ToolJournal } from "./journal.js";
import type { Budgets } from "./scenario.js";
import type { TeamStateType, TeamStatus } from "./state.js";

export interface TeamMember<Impl> {
  name: string;
  impl: Impl;
}

export interface SpecialistMember extends TeamMember<Specialist> {
  description?: string;
  tools?: ToolSpec[];
}

export interface TeamConfig {
  planner: TeamMember<Planner>;
  specialists: SpecialistMember[];
  verifier: TeamMember<Verifier>;
  supervisor: TeamMember<Supervisor>;
  guards?: Guards;
  budgets?: Partial<Budgets>;
  /**
   * Checkpointer; in-memory by default (`createMemoryCheckpointer`), `SqliteRunStore` for a file.
   * A checkpointer passed here keeps its own serializer.
   */
  checkpointer?: BaseCheckpointSaver;
  journal?: ToolJournal;
  /** Memory entries present before the run starts. */
  memory?: Array<{
    key: string;
    value: unknown;
    owner: string;
    sensitivity?: Sensitivity;
    audience?: string[];
  }>;
  /** Models for agents in model mode, by agent name (agents without one run rule-backed). */
  models?: Record<string, BaseChatModel>;
  /** Memory keys each plan step's assignee reads before it works, by step id. */
  reads?: Record<string, string[]>;
  /** Item id factory (deterministic ids in tests). */
  newItemId?: (kind: string) => string;
  guardTimeoutMs?: number;
  /**
   * When LangGraph writes checkpoints: `async` (default) after every superstep, in the
   * background; `sync` after every superstep, before the next one starts; `exit` only when the run
   * stops (finished, failed or interrupted for approval). `exit` is cheaper but a crashed process
   * cannot be resumed mid-run, so use it only where a crash loses the process's memory anyway
   * (the in-memory checkpointer).
   */
  durability?: "sync" | "async" | "exit";
  /**
   * The async-local context LangGraph gives each node, writer and router of a run. `lean`
   * (default): while nothing traces the run (no callbacks, LangChain tracing off), a plain record
   * carrying the config instead of a disabled langsmith run tree per runnable, which is most of
   * what a step costs; traced runs and runs with callbacks get LangChain's own context either way.
   * `langchain`: always LangChain's own context (for code inside agents that calls langsmith's
   * `getCurrentRunTree` or sets LangChain context variables and then reads the node's config).
   */
  runContext?: "lean" | "langchain";
  /** Structured logger for the team's runtimes (pino; contents redacted by it). Silent by default. */
  logger?: Logger;
  /**
   * Agents that do not count as holders for the message guards (see `RuntimeOptions.trusted`):
   * typically the verifier, the supervisor, or a step's dependent assignees. None by default, so
   * every recipient counts.
   */
  trustedRecipients?: string[];
  /** Watchers of every run of this team (e.g. `createOtelObserver()`), handed each event live. */
  observers?: TeamObserver[];
}

export interface TeamResult {
  runId: string;
  threadId: string;
  status: TeamStatus | "interrupted";
  reason: string | null;
  finalAnswer: string | null;
  items: Item[];
  events: RunEvent[];
  usage: Usage;
  /** When interrupted for approval: the plan and the verdicts that asked for it. */
  interrupt?: ApprovalRequest;
}

export interface RunOptions {
  threadId?: string;
  runId?: string;
  /** Called after each graph node with its name (for progress display). */
  onNode?: (node: string, state: Partial<TeamStateType>) => void;
  /** Called with each team event as it happens (the callback form of `team.stream`). */
  onEvent?: (event: TeamEvent) => void;
  /**
   * Cancels the run when aborted: it stops as `stopped` with the reason, and its last checkpoint
   * stays, so `resume` continues it (a node cut off mid-way runs again; side-effecting tools
   * that completed come back from the journal).
   */
  signal?: AbortSignal;
  /** A wall-clock limit for this call of run or resume, in ms; reaching it cancels as `signal` does. */
  timeoutMs?: number;
  /**
   * Limits for this call of run or resume, over the team's `budgets` (steps, retries, replans,
   * model calls, tokens, wall time): reaching one stops the run as `stopped`, the limit named.
   */
  budgets?: Partial<Budgets>;
}
