import type { RunnableConfig } from "@langchain/core/runnables";
import { type BaseCheckpointSaver, Command, END, interrupt, START, StateGraph } from "@langchain/langgraph";
import type { AgentEnv } from "../agents/types.js";
import {
  asQuorumError,
  checkId,
  EventLog,
  emptyUsage,
  QuorumError,
  type RunEvent,
  type TeamObserver,
  UserInputError,
} from "../core/index.js";
import { UsageMeter } from "../models/accounting.js";
import { type ApprovalDecision, type ApprovalRequest, decisionFor, readDecision } from "./approval.js";
import { RunCancel } from "./cancel.js";
import { LiveEvents } from "./live-events.js";
import { enableLeanRunContext, LEAN_RUN } from "./run-context.js";
import { TeamRunStream } from "./run-stream.js";
import { Runtime } from "./runtime.js";
import type { Budgets } from "./scenario.js";
import { createMemoryCheckpointer } from "./serde.js";
import { type ExecutePayload, TeamState, type TeamStateType } from "./state.js";
import { routed, sequence, single } from "./team-fuse.js";
import {
  approvalNode,
  executeNode,
  finalizeNode,
  guardPlanNode,
  planNode,
  startNode,
  superviseNode,
  type TeamNodeDeps,
  teamRoles,
  turnContext,
  verifyNode,
} from "./team-nodes.js";
import { afterApproval, afterGuard, afterSupervise, decide, lastDecision } from "./team-routing.js";
import type { RunOptions, TeamConfig, TeamResult } from "./team-types.js";

const DEFAULT_BUDGETS: Budgets = {
  maxSteps: 100,
  maxRetries: 2,
  maxReplans: 1,
  maxModelCalls: 200,
  maxTokens: 200_000,
  maxWallMs: 600_000,
};

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
    const roles = teamRoles(c);
    const d: TeamNodeDeps = {
      config: c,
      roles,
      runtimeFor: (config) => this.runtimeFor(config),
      env: (runtime, agent, step, idem) => this.env(runtime, agent, step, idem),
      outputOverrides: this.outputOverrides,
      decide: (state, runtime) =>
        decide(state, runtime, this.budgetsOf(runtime.runId), this.startedAt.get(runtime.runId)),
    };
    const [start, plan, guardPlan, approval, execute, verify, supervise, finalize] = [
      startNode(d),
      planNode(d),
      guardPlanNode(d),
      approvalNode(d),
      executeNode(d),
      verifyNode(d),
      superviseNode(d),
      finalizeNode(d),
    ];

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
