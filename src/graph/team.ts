import type { BaseChatModel } from "@langchain/core/language_models/chat_models";
import type { RunnableConfig } from "@langchain/core/runnables";
import {
  type BaseCheckpointSaver,
  Command,
  END,
  interrupt,
  isGraphInterrupt,
  Send,
  START,
  StateGraph,
} from "@langchain/langgraph";
import { z } from "zod";
import { checkPlan, type Plan } from "../agents/schemas.js";
import type { AgentEnv, Planner, Specialist, Supervisor, Verifier } from "../agents/types.js";
import {
  asQuorumError,
  checkId,
  EventLog,
  emptyUsage,
  fromZodError,
  InternalError,
  type Item,
  type Logger,
  ModelError,
  QuorumError,
  type RunEvent,
  type Sensitivity,
  type TeamEvent,
  type TeamObserver,
  type ToolSpec,
  type Usage,
  UserInputError,
} from "../core/index.js";
import type { Guards, Verdict } from "../guards/types.js";
import { UsageMeter } from "../models/accounting.js";
import {
  type ApprovalDecision,
  type ApprovalRequest,
  decisionFor,
  type PlanApprovalRequest,
  readDecision,
} from "./approval.js";
import { RunCancel } from "./cancel.js";
import { contentOf } from "./item-content.js";
import { type ToolJournal, UnresolvedCallError } from "./journal.js";
import { LiveEvents } from "./live-events.js";
import { enableLeanRunContext, LEAN_RUN } from "./run-context.js";
import { TeamRunStream } from "./run-stream.js";
import { Runtime } from "./runtime.js";
import type { Budgets } from "./scenario.js";
import { createMemoryCheckpointer } from "./serde.js";
import {
  type ExecutePayload,
  type StepState,
  TeamState,
  type TeamStateType,
  type TeamStatus,
  type TeamUpdate,
} from "./state.js";

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

const DEFAULT_BUDGETS: Budgets = {
  maxSteps: 100,
  maxRetries: 2,
  maxReplans: 1,
  maxModelCalls: 200,
  maxTokens: 200_000,
  maxWallMs: 600_000,
};

const USER = "user";

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

/**
 * A planner, specialists, a verifier and a supervisor compiled into a LangGraph graph:
 * plan -> plan guards -> (approval) -> parallel execute (Send) -> verify -> supervise ->
 * retry / replan / finalize. Every agent acts through the runtime, so the log in the graph's
 * state is the run's complete provenance.
 */
export class Team {
  readonly budgets: Budgets;
  readonly agentNames: string[];
  private readonly graph;
  private readonly checkpointer: BaseCheckpointSaver;
  private readonly runtimes = new Map<string, Runtime>();
  /**
   * Outputs to substitute for plan steps (by step id), for counterfactual replay: the specialist
   * still runs (its side effects come back from the journal), but what it says is replaced.
   */
  readonly outputOverrides = new Map<string, string>();
  private readonly startedAt = new Map<string, number>();
  /** Per-call limits (RunOptions.budgets) by run id, over the team's. */
  private readonly runBudgets = new Map<string, Budgets>();
  /** Whether this team's runs carry the lean run-context marker (see run-context.ts). */
  private readonly lean: boolean;

  constructor(private readonly config: TeamConfig) {
    this.budgets = { ...DEFAULT_BUDGETS, ...config.budgets };
    this.checkpointer = config.checkpointer ?? createMemoryCheckpointer();
    const names = [
      config.planner.name,
      ...config.specialists.map((s) => s.name),
      config.verifier.name,
      config.supervisor.name,
    ];
    const seen = new Set<string>();
    for (const n of names) {
      if (seen.has(n)) throw new UserInputError(`agent name ${n} is used twice`, { field: "agents" });
      seen.add(n);
    }
    (config.trustedRecipients ?? []).forEach((n, i) => {
      if (!seen.has(n))
        throw new UserInputError(`unknown trusted recipient ${n}`, {
          field: `trustedRecipients.${i}`,
          hint: `agents are: ${names.join(", ")}`,
        });
    });
    this.agentNames = names;
    this.lean = config.runContext !== "langchain" && enableLeanRunContext();
    this.graph = this.build().compile({ checkpointer: this.checkpointer });
  }

  /** Starts a run of the task on a new thread. */
  async run(task: string, options: RunOptions = {}): Promise<TeamResult> {
    const threadId = checkId(
      options.threadId ?? `thread-${Date.now().toString(36)}-${Math.random().toString(36).slice(2, 8)}`,
      { field: "threadId", what: "thread id" },
    );
    const runId = checkId(options.runId ?? threadId.replace(/^thread-/, "run-"), {
      field: "runId",
      what: "run id",
    });
    // The latest checkpoint's channels say whether a run started here; reading them directly
    // skips building a whole state snapshot.
    const latest = await this.checkpointer.getTuple(this.cfg(threadId));
    if (latest?.checkpoint.channel_values.runId) {
      throw new UserInputError(`thread ${threadId} already has a run`, {
        hint: "use resume, or a new thread id",
      });
    }
    this.runtimes.set(threadId, this.newRuntime(runId, new EventLog(this.logOptions())));
    this.startedAt.set(runId, Date.now());
    this.limit(runId, options);
    // Starting with a Command writes the input and goes straight to the planner: the same first
    // checkpoint, without a superstep (and its checkpoint) that only copies the input into state.
    const input = new Command({ update: { runId, task }, goto: "planner" });
    return this.observed(threadId, options, false, (live) => this.drive(threadId, input, options, live));
  }

  /** `run` as a stream of typed events, each yielded as it happens; `.result` is the run's result. */
  stream(task: string, options: RunOptions = {}): TeamRunStream<TeamResult> {
    return new TeamRunStream((observer) => this.run(task, withObserver(options, observer)));
  }

  /** `resume` as a stream of typed events. */
  streamResume(
    threadId: string,
    decision?: ApprovalDecision,
    options: RunOptions = {},
  ): TeamRunStream<TeamResult> {
    return new TeamRunStream((observer) => this.resume(threadId, decision, withObserver(options, observer)));
  }

  /**
   * Continues a thread from its last checkpoint: after a crash (no decision needed) or after an
   * approval interrupt (with the decision).
   */
  async resume(threadId: string, decision?: ApprovalDecision, options: RunOptions = {}): Promise<TeamResult> {
    checkId(threadId, { field: "threadId", what: "thread id" });
    const snapshot = await this.graph.getState(this.cfg(threadId));
    const values = snapshot.values as TeamStateType | undefined;
    if (!values?.runId) {
      throw new UserInputError(`no run found for thread ${threadId}`, {
        hint: "check the thread id and the --db file",
      });
    }
    // The checkpoint is the truth: rebuild the log from it, dropping anything a crashed process
    // wrote but never checkpointed. Writes it saved for finished tasks are applied as they are,
    // so new events are numbered after theirs.
    const log = EventLog.fromSnapshot(
      { items: values.items, events: values.events },
      { nextSeq: await this.pendingNextSeq(threadId) },
    );
    this.runtimes.set(threadId, this.newRuntime(values.runId, log, UsageMeter.fromLog(log, values.runId)));
    this.startedAt.set(values.runId, Date.now());
    this.limit(values.runId, options);
    const pending = snapshot.tasks.flatMap((t) => t.interrupts);
    if (pending.length > 0) {
      const waiting = pending[0]?.value as ApprovalRequest | undefined;
      if (!decision) {
        throw new UserInputError(`thread ${threadId} is waiting for ${waitingFor(waiting)}`, {
          hint: "resume with approve, reject or edit",
        });
      }
      const checked = decisionFor(waiting, decision);
      // Several waiting calls (parallel steps) are decided one at a time, the first listed first.
      const first = pending[0]?.id;
      const input = new Command({ resume: pending.length > 1 && first ? { [first]: checked } : checked });
      return this.observed(threadId, options, true, (live) => this.drive(threadId, input, options, live));
    }
    if (decision) {
      throw new UserInputError(`thread ${threadId} is not waiting for approval`, {
        field: "decision",
        hint:
          values.status === "running"
            ? "resume it without a decision to continue it"
            : `its run has ended (${values.status}); nothing to approve`,
      });
    }
    // A run killed after its parallel tasks wrote but before the superstep was committed has no
    // `next`, only tasks with saved writes: it is still running and must be driven on.
    if (values.status !== "running" && snapshot.next.length === 0)
      return this.observed(threadId, options, true, async () => this.result(threadId, values, undefined));
    return this.observed(threadId, options, true, (live) => this.drive(threadId, null, options, live));
  }

  /**
   * Counterfactual replay: goes back to the last checkpoint before `itemId` existed and runs on
   * from there as a fork of the thread, with `overrides` (plan step id -> output) substituted.
   * The thread's head becomes the fork; the original history stays in the checkpointer.
   */
  async replayFrom(
    threadId: string,
    itemId: string,
    overrides: Record<string, string>,
    options: RunOptions = {},
  ): Promise<TeamResult> {
    // The checkpoint where the item was first committed (the oldest that holds it, whatever
    // replays have forked since), and the one before it.
    let first: { parentConfig?: RunnableConfig | undefined } | undefined;
    for await (const snap of this.graph.getStateHistory(this.cfg(threadId))) {
      const values = snap.values as TeamStateType;
      if (values?.items?.some((i) => i.id === itemId)) first = snap;
    }
    let before: { values: TeamStateType; config: RunnableConfig } | undefined;
    if (first?.parentConfig) {
      const parent = await this.graph.getState(first.parentConfig);
      if ((parent.values as TeamStateType)?.runId) {
        before = { values: parent.values as TeamStateType, config: parent.config };
      }
    }
    if (!before)
      throw new UserInputError(`no checkpoint before item ${itemId} in thread ${threadId}`, {
        hint: "replay needs the run's checkpoints",
      });
    const log = EventLog.fromSnapshot({ items: before.values.items, events: before.values.events });
    this.runtimes.set(
      threadId,
      this.newRuntime(before.values.runId, log, UsageMeter.fromLog(log, before.values.runId)),
    );
    this.startedAt.set(before.values.runId, Date.now());
    this.outputOverrides.clear();
    for (const [k, v] of Object.entries(overrides)) this.outputOverrides.set(k, v);
    try {
      const stream = await this.graph.stream(null as never, {
        ...before.config,
        configurable: this.runConfigurable(before.config.configurable ?? {}),
        streamMode: "updates",
        recursionLimit: this.budgets.maxSteps * 4 + 20,
      });
      for await (const chunk of stream as AsyncIterable<Record<string, unknown>>) {
        for (const node of Object.keys(chunk)) if (node !== "__interrupt__") options.onNode?.(node, {});
      }
    } finally {
      this.outputOverrides.clear();
    }
    const values = (await this.graph.getState(this.cfg(threadId))).values as TeamStateType;
    return this.result(threadId, values, undefined);
  }

  async state(threadId: string): Promise<TeamStateType | undefined> {
    const snapshot = await this.graph.getState(this.cfg(threadId));
    const values = snapshot.values as TeamStateType | undefined;
    return values?.runId ? values : undefined;
  }

  /** The thread's result while it waits for an approval (the request in `interrupt`); else undefined. */
  async waiting(threadId: string): Promise<TeamResult | undefined> {
    const snapshot = await this.graph.getState(this.cfg(threadId));
    const request = snapshot.tasks.flatMap((t) => t.interrupts)[0]?.value as ApprovalRequest | undefined;
    const values = snapshot.values as TeamStateType | undefined;
    if (!request || !values?.runId) return undefined;
    return this.result(threadId, values, request);
  }

  /** The runtime of a thread in this process (for tests and the tracer's replay). */
  runtime(threadId: string): Runtime | undefined {
    return this.runtimes.get(threadId);
  }

  /**
   * Drops this process's in-memory runtime (log indexes, memory, meter) of a thread. The
   * checkpoint is untouched, so `resume` still works: it rebuilds the runtime from it. A long-lived
   * process running many threads calls this when it is done with one, or the runtimes accumulate.
   */
  release(threadId: string): void {
    const runtime = this.runtimes.get(threadId);
    if (runtime) this.startedAt.delete(runtime.runId);
    if (runtime) this.runBudgets.delete(runtime.runId);
    this.runtimes.delete(threadId);
  }

  /** One past the highest event seq in the writes saved for the thread's unfinished superstep. */
  private async pendingNextSeq(threadId: string): Promise<number> {
    const tuple = await this.checkpointer.getTuple(this.cfg(threadId));
    let next = 0;
    for (const [, channel, value] of tuple?.pendingWrites ?? []) {
      if (channel !== "events" || !Array.isArray(value)) continue;
      for (const e of value as Array<{ seq?: unknown }>)
        if (typeof e?.seq === "number" && e.seq >= next) next = e.seq + 1;
    }
    return next;
  }

  /** Runs `go` with the thread's observers (config and options) watching, if there are any. */
  private async observed(
    threadId: string,
    options: RunOptions,
    resumed: boolean,
    go: (live: LiveEvents | undefined) => Promise<TeamResult>,
  ): Promise<TeamResult> {
    const observers = [...(this.config.observers ?? [])];
    if (options.onEvent) observers.push({ onEvent: options.onEvent });
    const runtime = this.runtimes.get(threadId);
    if (observers.length === 0 || !runtime) return go(undefined);
    const live = new LiveEvents(runtime, this.agentNames, observers, runtime.logger);
    live.started(threadId, resumed);
    try {
      const result = await go(live);
      live.finished(result);
      return result;
    } catch (error) {
      live.failed(error);
      throw error;
    }
  }

  private async drive(
    threadId: string,
    input: unknown,
    options: RunOptions,
    live?: LiveEvents,
  ): Promise<TeamResult> {
    let streamed: Awaited<ReturnType<Team["pump"]>>;
    const cancel = new RunCancel(options);
    try {
      streamed = await this.pump(threadId, input, options, live, cancel.signal);
    } catch (error) {
      if (cancel.reason !== undefined) return this.cancelled(threadId, cancel.reason);
      const qe = asQuorumError(firstOfSuperstep(error));
      if (qe.code === "user_input" || qe.code === "internal") throw error;
      // A model or budget failure ends the run, not the process: the checkpoint before the
      // failing node stays resumable, and the caller still gets everything recorded so far.
      const values = (await this.graph.getState(this.cfg(threadId))).values as TeamStateType;
      const failed = this.result(threadId, values, undefined);
      const step = values.turn + 1;
      const seq = failed.events.reduce((n, e) => Math.max(n, e.seq + 1), 0);
      return {
        ...failed,
        status: "failed",
        reason: qe.toLine(),
        events: [
          ...failed.events,
          {
            type: "error",
            seq,
            runId: values.runId,
            step,
            code: qe.code,
            message: qe.message,
            ...(qe.agent ? { agent: qe.agent } : {}),
          },
          {
            type: "status",
            seq: seq + 1,
            runId: values.runId,
            step,
            status: "failed",
            reason: qe.toLine(),
          },
        ],
      };
    } finally {
      cancel.dispose();
    }
    // The last streamed state is the state of the last checkpoint: reading it back with getState
    // would deserialize the whole log again.
    const values =
      streamed.values ?? ((await this.graph.getState(this.cfg(threadId))).values as TeamStateType);
    return this.result(threadId, values, streamed.interrupt);
  }

  private limit(runId: string, options: RunOptions): void {
    if (options.budgets) this.runBudgets.set(runId, { ...this.budgets, ...options.budgets });
    else this.runBudgets.delete(runId);
  }

  private budgetsOf(runId: string | undefined): Budgets {
    return (runId !== undefined ? this.runBudgets.get(runId) : undefined) ?? this.budgets;
  }

  /**
   * A cancelled run's result: what its last checkpoint holds, stopped with the reason. The
   * checkpoint itself is left as it was, still running, so `resume` carries on from it.
   */
  private async cancelled(threadId: string, reason: string): Promise<TeamResult> {
    const values = (await this.graph.getState(this.cfg(threadId))).values as TeamStateType | undefined;
    const runId = values?.runId ?? this.runtimes.get(threadId)?.runId ?? threadId;
    // Cancelled before the first checkpoint: nothing ran, and the thread is free for a new run.
    const at: TeamResult = values?.runId
      ? this.result(threadId, values, undefined)
      : {
          runId,
          threadId,
          status: "stopped",
          reason,
          finalAnswer: null,
          items: [],
          events: [],
          usage: emptyUsage(),
        };
    const status: RunEvent = {
      type: "status",
      seq: at.events.length,
      runId,
      step: (values?.turn ?? 0) + 1,
      status: "stopped",
      reason,
    };
    return { ...at, status: "stopped", reason, events: [...at.events, status] };
  }

  private async pump(
    threadId: string,
    input: unknown,
    options: RunOptions,
    live?: LiveEvents,
    signal?: AbortSignal,
  ): Promise<{ interrupt: ApprovalRequest | undefined; values: TeamStateType | undefined }> {
    const stream = await this.graph.stream(input as never, {
      configurable: this.runConfigurable({ thread_id: threadId }),
      streamMode: ["updates", "values"],
      recursionLimit: this.budgetsOf(this.runtimes.get(threadId)?.runId).maxSteps * 4 + 20,
      ...(this.config.durability ? { durability: this.config.durability } : {}),
      ...(signal ? { signal } : {}),
    });
    let interruptPayload: ApprovalRequest | undefined;
    let values: TeamStateType | undefined;
    for await (const [mode, chunk] of stream as AsyncIterable<[string, Record<string, unknown>]>) {
      if (mode === "values") {
        // An interrupt also arrives as a values chunk holding only `__interrupt__`.
        if (!("__interrupt__" in chunk)) values = chunk as unknown as TeamStateType;
        continue;
      }
      for (const [node, update] of Object.entries(chunk)) {
        if (node === "__interrupt__") {
          const list = update as Array<{ value: ApprovalRequest }>;
          interruptPayload = list[0]?.value;
        } else {
          live?.nodeDone((update as Partial<TeamStateType> | undefined)?.events ?? []);
          options.onNode?.(node, (update ?? {}) as Partial<TeamStateType>);
        }
      }
    }
    return { interrupt: interruptPayload, values };
  }

  private result(
    threadId: string,
    values: TeamStateType,
    interruptPayload: ApprovalRequest | undefined,
  ): TeamResult {
    const runtime = this.runtimes.get(threadId);
    const meter = runtime ? runtime.meter : new UsageMeter();
    return {
      runId: values.runId,
      threadId,
      status: interruptPayload ? "interrupted" : values.status,
      reason: values.reason,
      finalAnswer: values.finalAnswer,
      items: values.items,
      events: values.events,
      usage: meter.totals,
      ...(interruptPayload ? { interrupt: interruptPayload } : {}),
    };
  }

  private cfg(threadId: string): { configurable: { thread_id: string } } {
    return { configurable: { thread_id: threadId } };
  }

  /** `configurable` for a graph stream: the lean run-context marker added when it is on. */
  private runConfigurable(configurable: Record<string, unknown>): Record<string, unknown> {
    return this.lean ? { ...configurable, [LEAN_RUN]: true } : configurable;
  }

  private logOptions() {
    return this.config.newItemId ? { newItemId: this.config.newItemId } : {};
  }

  private newRuntime(runId: string, log: EventLog, meter?: UsageMeter): Runtime {
    return new Runtime({
      runId,
      log,
      ...(this.config.guards ? { guards: this.config.guards } : {}),
      ...(this.config.journal ? { journal: this.config.journal } : {}),
      ...(meter ? { meter } : {}),
      ...(this.config.guardTimeoutMs !== undefined ? { guardTimeoutMs: this.config.guardTimeoutMs } : {}),
      ...(this.config.logger ? { logger: this.config.logger } : {}),
      ...(this.config.trustedRecipients ? { trusted: this.config.trustedRecipients } : {}),
      // Inside the team graph, a call that needs approval interrupts the run: the node runs again
      // from the top on resume, and this same call then returns the decision.
      approveTool: (request) => readDecision(interrupt(request)),
    });
  }

  private runtimeFor(config: RunnableConfig): Runtime {
    const threadId = config.configurable?.thread_id as string | undefined;
    const runtime = threadId ? this.runtimes.get(threadId) : undefined;
    if (!runtime)
      throw new UserInputError(`no runtime for thread ${threadId}`, {
        hint: "start the run with Team.run or Team.resume",
      });
    return runtime;
  }

  private env(runtime: Runtime, agent: string, step: number, idem: string): AgentEnv {
    const model = this.config.models?.[agent];
    return {
      runId: runtime.runId,
      agent,
      step,
      context: runtime.context(agent, step).filter((i) => i.step === step || i.kind === "task"),
      callTool: async (tool, args, { callIndex }) => {
        const r = await runtime.callTool(agent, step, tool, args, {
          idempotencyKey: `${idem}:${callIndex}`,
          derivedFrom: turnContext(runtime, agent, step),
        });
        return { value: r.value, item: r.result, status: r.status };
      },
      recordModelCall: (modelName, inTok, outTok) =>
        runtime.recordModelCall(agent, step, modelName, inTok, outTok),
      note: (content, labels = []) => {
        runtime.emit({
          step,
          author: agent,
          kind: "note",
          content,
          audience: [agent],
          labels,
          derivedFrom: turnContext(runtime, agent, step),
        });
      },
      ...(model ? { model } : {}),
    };
  }

  private build() {
    const c = this.config;
    const planner = c.planner.name;
    const verifier = c.verifier.name;
    const supervisor = c.supervisor.name;
    const specialistNames = c.specialists.map((s) => s.name);
    const specialistInfo = c.specialists.map((s) => ({
      name: s.name,
      description: s.description ?? "",
      tools: s.tools ?? [],
    }));

    const start = async (state: TeamStateType, config: RunnableConfig): Promise<TeamUpdate> => {
      const { runtime, captured } = this.runtimeFor(config).fork();
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

    const plan = async (state: TeamStateType, config: RunnableConfig): Promise<TeamUpdate> => {
      const { runtime, captured } = this.runtimeFor(config).fork();
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
        env: this.env(runtime, planner, step, `${state.runId}:plan:${attempt}`),
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

    const guardPlan = async (state: TeamStateType, config: RunnableConfig): Promise<TeamUpdate> => {
      const { runtime, captured } = this.runtimeFor(config).fork();
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

    const approval = async (state: TeamStateType, config: RunnableConfig): Promise<TeamUpdate> => {
      // interrupt() comes first: the node re-runs from the top on resume, so nothing may be
      // written before it.
      const request: PlanApprovalRequest = {
        kind: "plan_approval",
        planItemId: state.planItemId as string,
        plan: state.plan as Plan,
        verdicts: state.planVerdictIds.flatMap((id) => {
          const verdict = contentOf(this.runtimeFor(config).log.item(id), "verdict");
          return verdict === undefined ? [] : [verdict];
        }),
      };
      const answer = readDecision(interrupt(request));
      const decision: ApprovalDecision =
        answer.action === "edit" && !("plan" in answer)
          ? { action: "reject", note: "an edit without a plan" }
          : answer;
      const { runtime, captured } = this.runtimeFor(config).fork();
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

    const execute = async (payload: ExecutePayload, config: RunnableConfig): Promise<TeamUpdate> => {
      const { runtime, captured } = this.runtimeFor(config).fork();
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
      const env = this.env(runtime, me, step, `${payload.runId}:${planStep.id}:${payload.attempt}`);
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
        output = this.outputOverrides.get(planStep.id) ?? r.output;
      } catch (error) {
        // An unresolved side effect stops the run: a retried step would run it under a new key.
        if (
          error instanceof UserInputError ||
          error instanceof UnresolvedCallError ||
          isGraphInterrupt(error)
        )
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
        ...(sent.delivered
          ? {}
          : { feedback: withheldReason(`step ${planStep.id}'s output`, sent.verdicts) }),
      };
      return { steps: { [planStep.id]: state }, items: captured.items, events: captured.events };
    };

    const verify = async (state: TeamStateType, config: RunnableConfig): Promise<TeamUpdate> => {
      const { runtime, captured } = this.runtimeFor(config).fork();
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
          env: this.env(runtime, verifier, step, `${state.runId}:verify:${stepId}:${s.attempt}`),
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

    const supervise = async (state: TeamStateType, config: RunnableConfig): Promise<TeamUpdate> => {
      const { runtime, captured } = this.runtimeFor(config).fork();
      const step = state.turn + 1;
      const decision = this.decide(state, runtime);
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

    const finalize = async (state: TeamStateType, config: RunnableConfig): Promise<TeamUpdate> => {
      const { runtime, captured } = this.runtimeFor(config).fork();
      const plan = state.plan as Plan;
      let step = state.turn + 1;
      const outputs = plan.steps.map((p) => ({ stepId: p.id, output: current(state, p.id)?.output ?? "" }));
      const answer = await c.supervisor.impl.compose({
        task: state.task,
        outputs,
        env: this.env(runtime, supervisor, step, `${state.runId}:final:${state.planAttempt}`),
      });
      const sent = await runtime.send({
        from: supervisor,
        to: [verifier, USER],
        step,
        kind: "final_answer",
        content: answer,
        derivedFrom: turnContext(runtime, supervisor, step)
          .concat(
            plan.steps.map((p) => current(state, p.id)?.outputItemId).filter((id): id is string => !!id),
          )
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
        env: this.env(runtime, verifier, step, `${state.runId}:verify-final:${state.planAttempt}`),
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

    const afterGuard = (state: TeamStateType) => {
      if (state.status !== "running") return END;
      if (state.planDecision === "needs_approval") return "approval";
      return dispatch(state);
    };

    const afterApproval = (state: TeamStateType) => {
      if (state.status !== "running") return END;
      if (state.planDecision === null) return "guard_plan"; // an edited plan is checked again
      return dispatch(state);
    };

    const afterSupervise = (state: TeamStateType) => {
      if (state.status !== "running") return END;
      const d = lastDecision(state);
      if (d?.route === "replan") return "planner";
      if (d?.route === "finalize") return "finalize";
      return dispatch(state);
    };

    const dispatch = (state: TeamStateType): Send[] | string => {
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
    };

    // Nodes that always follow each other share one superstep: every superstep costs a checkpoint
    // and LangGraph's per-task setup, and these boundaries carry no interrupt or fan-out. The plan
    // guard still runs before any step executes (execute is only reachable through afterGuard), and
    // an edited plan goes through the guard_plan node again.
    const planAndGuard = sequence(
      [(state) => !state.taskItemId, start],
      [() => true, plan],
      [(state) => state.status === "running", guardPlan],
    );
    const verifyAndSupervise = sequence(
      [() => true, verify],
      [() => true, supervise],
      [(state) => state.status === "running" && lastDecision(state)?.route === "finalize", finalize],
    );

    // Each node routes itself with a Command, from the state its own update leads to: the same
    // decision a conditional edge would take after the superstep, without the extra routing
    // runnables LangGraph runs per task for every conditional edge.
    return new StateGraph(TeamState)
      .addNode("planner", routed(planAndGuard, afterGuard), { ends: ["approval", "execute", "finalize"] })
      .addNode("guard_plan", routed(single(guardPlan), afterGuard), {
        ends: ["approval", "execute", "finalize"],
      })
      .addNode("approval", routed(single(approval), afterApproval), {
        ends: ["guard_plan", "execute", "finalize"],
      })
      .addNode(
        "execute",
        async (payload: TeamStateType, config: RunnableConfig) =>
          new Command({
            update: await execute(payload as unknown as ExecutePayload, config),
            goto: "verify",
          }),
        { ends: ["verify"] },
      )
      .addNode("verify", routed(verifyAndSupervise, afterSupervise), {
        ends: ["planner", "execute", "finalize"],
      })
      .addNode("finalize", finalize)
      .addEdge(START, "planner")
      .addEdge("finalize", END);
  }

  /** The supervisor's routing: retry a failed step, replan, stop on budgets, or go on. */
  private decide(state: TeamStateType, runtime: Runtime): SupervisorDecision {
    const b = this.budgetsOf(runtime.runId);
    const usage = runtime.meter.totals;
    const started = this.startedAt.get(runtime.runId);
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
}

export interface SupervisorDecision {
  route: "retry" | "replan" | "continue" | "finalize" | "stop" | "fail" | "block";
  reason: string;
  steps?: string[];
}

/** Why a message guard withheld something, naming the guards that did not allow it. */
function withheldReason(what: string, verdicts: ReadonlyArray<Verdict>): string {
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

function lastDecision(state: TeamStateType): SupervisorDecision | undefined {
  for (let i = state.items.length - 1; i >= 0; i--) {
    const item = state.items[i] as Item;
    if (item.kind === "note" && item.labels.some((l) => l.startsWith("route:")))
      return item.content as SupervisorDecision;
  }
  return undefined;
}

/**
 * Parallel nodes that fail together reach the caller as one error holding each (`errors`): the
 * first Quorum error among them says what happened.
 */
function firstOfSuperstep(error: unknown): unknown {
  const errors = (error as { errors?: unknown }).errors;
  if (!Array.isArray(errors)) return error;
  return errors.find((e) => e instanceof QuorumError) ?? error;
}

type TeamNode = (state: TeamStateType, config: RunnableConfig) => Promise<TeamUpdate>;

/** A node's update together with the state it leads to (the node's input with the update applied). */
type Stepped = (
  state: TeamStateType,
  config: RunnableConfig,
) => Promise<{ update: TeamUpdate; after: TeamStateType }>;

/**
 * Runs nodes one after another as one graph node: each sees the state with the previous updates
 * applied (by the same reducers as the graph's channels), and the node returns their merged
 * update, so the writes and the resulting state are those of separate nodes.
 */
function sequence(...parts: Array<[when: (state: TeamStateType) => boolean, node: TeamNode]>): Stepped {
  return async (state, config) => {
    let after = state;
    let update: TeamUpdate = {};
    for (const [when, node] of parts) {
      if (!when(after)) continue;
      const part = await node(after, config);
      after = applyUpdate(after, part);
      update = mergeUpdates(update, part);
    }
    return { update, after };
  };
}

function single(node: TeamNode): Stepped {
  return async (state, config) => {
    const update = await node(state, config);
    return { update, after: applyUpdate(state, update) };
  };
}

/** A node that writes its update and goes where `route` sends the state that update leads to. */
function routed(
  node: Stepped,
  route: (state: TeamStateType) => Send[] | string,
): (state: TeamStateType, config: RunnableConfig) => Promise<Command> {
  return async (state, config) => {
    const { update, after } = await node(state, config);
    const to = route(after);
    return new Command({ update, ...(to === END ? {} : { goto: to }) });
  };
}

/** The channel reducers of TeamState, applied to a plain state value. */
function applyUpdate(state: TeamStateType, update: TeamUpdate): TeamStateType {
  const items = plain<Item[]>(update.items);
  const events = plain<RunEvent[]>(update.events);
  const steps = plain<Record<string, StepState>>(update.steps);
  return {
    ...state,
    ...(update as Partial<TeamStateType>),
    items: items && items.length > 0 ? state.items.concat(items) : state.items,
    events: events && events.length > 0 ? state.events.concat(events) : state.events,
    steps: steps ? { ...state.steps, ...steps } : state.steps,
  };
}

function mergeUpdates(a: TeamUpdate, b: TeamUpdate): TeamUpdate {
  const out: TeamUpdate = { ...a, ...b };
  const [ai, bi] = [plain<Item[]>(a.items), plain<Item[]>(b.items)];
  const [ae, be] = [plain<RunEvent[]>(a.events), plain<RunEvent[]>(b.events)];
  const [as, bs] = [plain<Record<string, StepState>>(a.steps), plain<Record<string, StepState>>(b.steps)];
  if (ai || bi) out.items = [...(ai ?? []), ...(bi ?? [])];
  if (ae || be) out.events = [...(ae ?? []), ...(be ?? [])];
  if (as || bs) out.steps = { ...as, ...bs };
  return out;
}

/** Team nodes never write LangGraph's Overwrite wrapper; refuse one rather than merge it wrongly. */
function plain<T>(value: unknown): T | undefined {
  if (value === undefined) return undefined;
  if (value !== null && typeof value === "object" && "__overwrite__" in value)
    throw new InternalError("team nodes do not overwrite accumulated channels");
  return value as T;
}

/** Step states of the current plan only: a replan starts every step afresh. */
function currentSteps(state: TeamStateType): Array<[string, StepState]> {
  const plan = state.plan;
  if (!plan) return [];
  return plan.steps
    .map((p) => [p.id, current(state, p.id)] as const)
    .filter((e): e is [string, StepState] => e[1] !== undefined);
}

function current(state: TeamStateType, stepId: string): StepState | undefined {
  const s = state.steps[stepId];
  return s && s.plan === state.planAttempt ? s : undefined;
}

/** What the agent was given or produced in this turn: the exact context of what it writes next. */
function turnContext(runtime: Runtime, agent: string, step: number): string[] {
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

function withObserver(options: RunOptions, observer: TeamObserver): RunOptions {
  const own = options.onEvent;
  return {
    ...options,
    onEvent: (event) => {
      own?.(event);
      observer.onEvent(event);
    },
  };
}

export function createTeam(config: TeamConfig): Team {
  return new Team(config);
}

function waitingFor(request: ApprovalRequest | undefined): string {
  return request?.kind === "tool_approval" ? `approval of a ${request.tool} call` : "plan approval";
}
