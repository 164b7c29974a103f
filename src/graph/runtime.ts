import {
  CapturingWriter,
  EventLog,
  hasSideEffects,
  type Item,
  isPrivate,
  type Logger,
  type LogWriter,
  type NewItem,
  newRunId,
  type Sensitivity,
  silentLogger,
  type ToolRunContext,
  type ToolSpec,
} from "../core/index.js";
import { combineDecisions, runGuard } from "../guards/run.js";
import type { Guards, PlanStepView, Verdict } from "../guards/types.js";
import { ledgerFor, SharedMemory } from "../memory/index.js";
import { UsageMeter } from "../models/accounting.js";
import type { ToolApprovalRequest, ToolApprover } from "./approval.js";
import { InMemoryToolJournal, type JournalEntry, type ToolJournal, UnresolvedCallError } from "./journal.js";

export interface RuntimeOptions {
  runId?: string;
  log?: EventLog;
  guards?: Guards;
  guardTimeoutMs?: number;
  journal?: ToolJournal;
  meter?: UsageMeter;
  /** Where writes go; defaults to the log itself. */
  writer?: LogWriter;
  memory?: SharedMemory;
  /** Structured logger; silent by default. Contents are redacted by the logger itself. */
  logger?: Logger;
  /**
   * Recipients inside the app's trust boundary (say the verifier and the supervisor): what reaches
   * them does not count as disclosed, so message guards are asked only about the other recipients
   * (none asked when every recipient is trusted). What a trusted agent passes on is still checked,
   * and carries by provenance everything it was built from.
   */
  trusted?: ReadonlyArray<string>;
  /** Decides tool calls that need approval; without one they are withheld. */
  approveTool?: ToolApprover;
}

export interface SendInput {
  from: string;
  to: string[];
  step: number;
  content: unknown;
  kind?: "message" | "answer" | "query" | "step_output" | "final_answer";
  sensitivity?: Sensitivity;
  labels?: string[];
  /** Defaults to everything the sender has seen up to this step. */
  derivedFrom?: string[];
  id?: string;
}

export interface SendResult {
  /** What reached the recipients (the original, or its redacted/vague replacement); null if blocked. */
  delivered: Item | null;
  /** The message as its author wrote it (same item as `delivered` when allowed). */
  draft: Item;
  decision: Verdict["decision"];
  verdicts: Verdict[];
  verdictItems: Item[];
}

export interface ToolCallResult {
  call: Item;
  result: Item | null;
  /**
   * `replayed`: the journal had the result; `retried`: an idempotent call cut off by a crash, run
   * again with the same key.
   */
  status: "executed" | "replayed" | "retried" | "blocked" | "error";
  verdicts: Verdict[];
  value: unknown;
}

/**
 * The runtime every agent acts through: it records items, runs guards at the hook points
 * (fail closed), delivers messages only to their audience, and runs tools with idempotency keys.
 * The LangGraph team graph and the evaluation harnesses both sit on it.
 */
export class Runtime {
  readonly runId: string;
  readonly log: EventLog;
  readonly guards: Guards;
  readonly memory: SharedMemory;
  readonly meter: UsageMeter;
  readonly journal: ToolJournal;
  readonly writer: LogWriter;
  readonly logger: Logger;
  readonly trusted: ReadonlySet<string>;
  private readonly guardTimeoutMs: number | undefined;
  private readonly approveTool: ToolApprover | undefined;

  constructor(options: RuntimeOptions = {}) {
    this.runId = options.runId ?? newRunId();
    this.log = options.log ?? new EventLog();
    this.guards = options.guards ?? {};
    this.writer = options.writer ?? this.log;
    this.logger = options.logger ?? silentLogger;
    this.memory = options.memory
      ? options.memory.withWriter(this.writer)
      : new SharedMemory(this.log, this.runId, { writer: this.writer });
    this.meter = options.meter ?? new UsageMeter();
    this.journal = options.journal ?? new InMemoryToolJournal();
    this.guardTimeoutMs = options.guardTimeoutMs;
    this.trusted = new Set(options.trusted ?? []);
    this.approveTool = options.approveTool;
  }

  emit(input: NewItem): Item {
    return this.writer.add(this.runId, input);
  }

  /**
   * A runtime over the same log, memory, guards and journal whose writes are captured: a graph
   * node returns exactly what it wrote, so checkpoints hold the log.
   */
  fork(): { runtime: Runtime; captured: CapturingWriter } {
    const captured = new CapturingWriter(this.log);
    const runtime = new Runtime({
      runId: this.runId,
      log: this.log,
      guards: this.guards,
      journal: this.journal,
      meter: this.meter,
      writer: captured,
      memory: this.memory,
      logger: this.logger,
      trusted: [...this.trusted],
      ...(this.guardTimeoutMs !== undefined ? { guardTimeoutMs: this.guardTimeoutMs } : {}),
      ...(this.approveTool ? { approveTool: this.approveTool } : {}),
    });
    return { runtime, captured };
  }

  /** What the agent has authored or been handed, up to the step. */
  context(agent: string, uptoStep?: number): Item[] {
    return this.log.seenBy(this.runId, agent, uptoStep).map((e) => e.item);
  }

  recordModelCall(
    agent: string,
    step: number,
    model: string,
    inputTokens: number,
    outputTokens: number,
  ): void {
    this.meter.record(agent, inputTokens, outputTokens);
    this.writer.record({
      type: "model_call",
      runId: this.runId,
      step,
      agent,
      model,
      inputTokens,
      outputTokens,
    });
  }

  /**
   * Sends a message through the message guards; delivers what they allow to the recipients. The
   * check and the delivery are one exclusive section of the log's ledger (see
   * `DisclosureLedger.exclusive`), so concurrent sends are judged as if made in sequence.
   */
  async send(input: SendInput): Promise<SendResult> {
    if ((this.guards.message ?? []).length === 0) return this.checkAndDeliver(input);
    return ledgerFor(this.log).exclusive(() => this.checkAndDeliver(input));
  }

  private async checkAndDeliver(input: SendInput): Promise<SendResult> {
    const kind = input.kind ?? "message";
    const draftBase: Item = {
      id: input.id ?? "",
      runId: this.runId,
      step: input.step,
      author: input.from,
      kind,
      content: input.content,
      audience: [...input.to],
      sensitivity: input.sensitivity ?? "internal",
      labels: input.labels ?? [],
      derivedFrom: input.derivedFrom ?? this.log.seenIds(this.runId, input.from, input.step),
    };
    const checkedTo = input.to.filter((r) => !this.trusted.has(r));
    const guards = checkedTo.length > 0 ? (this.guards.message ?? []) : [];
    const verdicts: Verdict[] = [];
    for (const guard of guards) {
      const verdict = await runGuard(
        guard.name,
        "message",
        () =>
          guard.checkMessage({
            log: this.log,
            runId: this.runId,
            step: input.step,
            message: draftBase,
            from: input.from,
            to: checkedTo,
          }),
        this.timeout(),
      );
      verdicts.push(verdict);
    }
    const decision = combineDecisions(verdicts);
    const withheld = decision !== "allow";
    const draft = this.emit({
      ...(input.id !== undefined ? { id: input.id } : {}),
      step: input.step,
      author: input.from,
      kind,
      content: input.content,
      // A withheld draft stays with its author: nobody else may ever be handed it.
      audience: withheld ? [input.from] : [...input.to],
      sensitivity: withheld ? maxSensitivity(draftBase.sensitivity, "private") : draftBase.sensitivity,
      labels: withheld ? [...draftBase.labels, "withheld"] : draftBase.labels,
      derivedFrom: draftBase.derivedFrom,
    });
    const verdictItems = verdicts.map((v) => this.recordVerdict(v, input.step, [draft.id], [input.from]));
    let delivered: Item | null = null;
    if (decision === "allow") {
      delivered = draft;
    } else if (decision === "redact" || decision === "vague") {
      const chosen = verdicts.find((v) => v.decision === decision && v.replacement !== undefined);
      if (chosen) {
        delivered = this.emit({
          step: input.step,
          author: input.from,
          kind,
          content: chosen.replacement,
          audience: [...input.to],
          sensitivity: draftBase.sensitivity === "sensitive" ? "private" : draftBase.sensitivity,
          labels: [...draftBase.labels, decision === "redact" ? "redacted" : "vague"],
          derivedFrom: [draft.id, ...verdictItems.map((v) => v.id)],
        });
      }
    }
    if (delivered) {
      for (const to of input.to) this.writer.deliver(delivered.id, to, input.step, "message");
    }
    return {
      delivered,
      draft,
      decision: delivered || decision === "allow" ? decision : "block",
      verdicts,
      verdictItems,
    };
  }

  /**
   * Runs the plan guards on a plan before any of its steps executes. Each verdict becomes an
   * item derived from the plan; the most restrictive decision wins.
   */
  async checkPlan(
    plan: Item,
    task: Item,
    steps: PlanStepView[],
    step: number,
    audience: string[],
  ): Promise<{ decision: Verdict["decision"]; verdicts: Verdict[]; verdictItems: Item[] }> {
    const verdicts: Verdict[] = [];
    for (const guard of this.guards.plan ?? []) {
      verdicts.push(
        await runGuard(
          guard.name,
          "plan",
          () => guard.checkPlan({ log: this.log, runId: this.runId, step, plan, task, steps }),
          this.timeout(),
        ),
      );
    }
    const verdictItems = verdicts.map((v) => this.recordVerdict(v, step, [plan.id], audience));
    return { decision: combineDecisions(verdicts), verdicts, verdictItems };
  }

  /** Runs a tool through the tool-call guards, with an idempotency key for side effects. */
  async callTool<Args>(
    agent: string,
    step: number,
    tool: ToolSpec<Args>,
    rawArgs: unknown,
    options: { idempotencyKey: string; derivedFrom?: string[]; audience?: string[] },
  ): Promise<ToolCallResult> {
    const parsed = tool.schema.safeParse(rawArgs);
    const callBase = {
      step,
      author: agent,
      kind: "tool_call" as const,
      content: { tool: tool.name, args: rawArgs, idempotencyKey: options.idempotencyKey },
      audience: options.audience ?? [agent],
      sensitivity: "internal" as const,
      labels: [] as string[],
      derivedFrom: options.derivedFrom ?? this.log.seenIds(this.runId, agent, step),
    };
    if (!parsed.success) {
      const call = this.emit(callBase);
      const message = parsed.error.issues[0]?.message ?? "invalid arguments";
      this.writer.record({ type: "error", runId: this.runId, step, agent, code: "tool_args", message });
      const result = this.emit({
        step,
        author: `tool:${tool.name}`,
        kind: "tool_result",
        content: { error: `invalid arguments for ${tool.name}: ${message}` },
        audience: [agent],
        labels: ["error"],
        derivedFrom: [call.id],
      });
      this.writer.deliver(result.id, agent, step, "tool_result");
      this.toolEvent(agent, step, tool.name, options.idempotencyKey, "error", result.id);
      return { call, result, status: "error", verdicts: [], value: undefined };
    }
    const context = { agent, runId: this.runId, step, idempotencyKey: options.idempotencyKey };
    const guarded = () => this.guardToolCall(tool, parsed.data as Args, context, callBase);
    // Like a send, the check and the recorded call are one exclusive section of the ledger.
    const { call, verdicts, withheld, args } =
      (this.guards.toolCall ?? []).length === 0
        ? await guarded()
        : await ledgerFor(this.log).exclusive(guarded);
    if (withheld) {
      this.toolEvent(agent, step, tool.name, options.idempotencyKey, "blocked");
      return { call, result: null, status: "blocked", verdicts, value: undefined };
    }
    let value: unknown;
    let status: ToolCallResult["status"] = "executed";
    const sideEffects = hasSideEffects(tool);
    try {
      const prior = sideEffects ? await this.claim(tool, options.idempotencyKey, agent, step) : undefined;
      if (prior?.state === "done") {
        value = prior.result;
        status = prior.failed ? "error" : "replayed";
      } else {
        if (prior) status = "retried";
        value = await tool.run(args, context);
        if (sideEffects) await this.journal.finish(options.idempotencyKey, value);
      }
    } catch (error) {
      if (error instanceof UnresolvedCallError) throw error;
      status = "error";
      value = { error: error instanceof Error ? error.message : String(error) };
      if (sideEffects) await this.journal.finish(options.idempotencyKey, value, true);
      // Events are kept in clear in run files: a private tool's error may quote private data, so
      // its event only says that it failed (the message stays in the private result item).
      const detail = isPrivate(tool.resultSensitivity ?? "internal")
        ? `failed (details in its ${tool.resultSensitivity} result)`
        : (value as { error: string }).error;
      this.writer.record({
        type: "error",
        runId: this.runId,
        step,
        agent,
        code: "tool_error",
        message: `${tool.name}: ${detail}`,
      });
    }
    const result = this.emit({
      step,
      author: `tool:${tool.name}`,
      kind: "tool_result",
      content: value,
      // The caller is handed the result whatever audience was asked for, so it must be in it.
      audience:
        options.audience && !options.audience.includes(agent)
          ? [...options.audience, agent]
          : (options.audience ?? [agent]),
      sensitivity: tool.resultSensitivity ?? "internal",
      labels: [...(tool.resultLabels ?? []), ...(status === "error" ? ["error"] : [])],
      derivedFrom: [call.id],
    });
    this.writer.deliver(result.id, agent, step, "tool_result");
    this.toolEvent(agent, step, tool.name, options.idempotencyKey, status, result.id);
    return { call, result, status, verdicts, value };
  }

  /**
   * Runs the tool-call guards on a call, asks for approval when the tool or a guard wants it, and
   * records the call (withheld when it may not run) with the verdicts, the approver's included.
   */
  private async guardToolCall<Args>(
    tool: ToolSpec<Args>,
    args: Args,
    context: ToolRunContext,
    callBase: Omit<Item, "id" | "runId"> & { content: { args: unknown } },
  ): Promise<{ call: Item; verdicts: Verdict[]; withheld: boolean; args: Args }> {
    const verdicts = await this.toolCallVerdicts(tool.name, args, context, callBase);
    let decision = combineDecisions(verdicts);
    let ran = args;
    if (
      decision === "needs_approval" ||
      (decision === "allow" && (await declaresApproval(tool, args, context)))
    ) {
      const decided = await this.decideToolCall(tool, args, context, callBase, verdicts);
      decision = decided.decision;
      ran = decided.args;
      verdicts.push(...decided.verdicts);
    }
    const withheld = decision !== "allow";
    const base = { ...callBase, content: { ...callBase.content, args: ran } };
    const call = this.emit(
      withheld ? { ...base, audience: [context.agent], sensitivity: "private", labels: ["withheld"] } : base,
    );
    for (const v of verdicts) this.recordVerdict(v, context.step, [call.id], [context.agent]);
    return { call, verdicts, withheld, args: ran };
  }

  /** The tool-call guards' verdicts on a call, seen as a draft not yet in the log. */
  private async toolCallVerdicts(
    toolName: string,
    args: unknown,
    context: ToolRunContext,
    callBase: Omit<Item, "id" | "runId">,
  ): Promise<Verdict[]> {
    const verdicts: Verdict[] = [];
    // Guards see the call as a draft (not yet in the log), like messages: a blocked call may carry
    // what must not leave, so it is recorded withheld (private, its author only) after the verdict.
    const draft: Item = {
      ...callBase,
      content: { ...(callBase.content as object), args },
      id: "",
      runId: this.runId,
    };
    for (const guard of this.guards.toolCall ?? []) {
      verdicts.push(
        await runGuard(
          guard.name,
          "tool_call",
          () =>
            guard.checkToolCall({
              log: this.log,
              runId: this.runId,
              step: context.step,
              agent: context.agent,
              tool: toolName,
              args: args as Record<string, unknown>,
              call: draft,
            }),
          this.timeout(),
        ),
      );
    }
    return verdicts;
  }

  /**
   * Asks the approver about a call: approve runs it, reject withholds it, edit runs it with the
   * new arguments if they fit the tool's schema and the guards allow them (the edit counts as the
   * approval). With no approver the call is withheld.
   */
  private async decideToolCall<Args>(
    tool: ToolSpec<Args>,
    args: Args,
    context: ToolRunContext,
    callBase: Omit<Item, "id" | "runId">,
    verdicts: Verdict[],
  ): Promise<{ decision: Verdict["decision"]; args: Args; verdicts: Verdict[] }> {
    const asked = verdicts.filter((v) => v.decision === "needs_approval").map((v) => v.rationale);
    const request: ToolApprovalRequest = {
      kind: "tool_approval",
      agent: context.agent,
      step: context.step,
      tool: tool.name,
      args: args as Record<string, unknown>,
      idempotencyKey: context.idempotencyKey,
      reason: asked.length > 0 ? asked.join("; ") : `${tool.name} asks for approval before it runs`,
      verdicts,
    };
    if (!this.approveTool) {
      return { decision: "needs_approval", args, verdicts: [approverVerdict("block", "no approver to ask")] };
    }
    const answer = await this.approveTool(request);
    const said = answer.note ? `: ${answer.note}` : "";
    if (answer.action === "approve")
      return { decision: "allow", args, verdicts: [approverVerdict("allow", `approved${said}`)] };
    if (answer.action === "reject" || !("args" in answer)) {
      return { decision: "block", args, verdicts: [approverVerdict("block", `rejected by the user${said}`)] };
    }
    const edited = tool.schema.safeParse(answer.args);
    if (!edited.success) {
      const why = edited.error.issues[0]?.message ?? "invalid arguments";
      return {
        decision: "block",
        args,
        verdicts: [approverVerdict("block", `edited arguments rejected by ${tool.name}'s schema: ${why}`)],
      };
    }
    const again = await this.toolCallVerdicts(tool.name, edited.data, context, callBase);
    const blocked = again.some((v) => v.decision === "block");
    return {
      decision: blocked ? "block" : "allow",
      args: edited.data,
      verdicts: [approverVerdict("allow", `edited by the user${said}`), ...again],
    };
  }

  /**
   * Records the intent to run a side-effecting call before it runs. Returns the journal's entry
   * when the key was there already: done (replay it), or started without a result, which only an
   * idempotent tool may run again (with the same key); any other is refused, failing the step.
   */
  private async claim(
    tool: Pick<ToolSpec, "name" | "idempotent">,
    key: string,
    agent: string,
    step: number,
  ): Promise<JournalEntry | undefined> {
    const prior = await this.journal.begin(key, tool.name);
    if (!prior || prior.state === "done") return prior;
    if (tool.idempotent === true) {
      await this.journal.retry(key);
      return prior;
    }
    this.toolEvent(agent, step, tool.name, key, "unresolved");
    throw new UnresolvedCallError(tool.name, key, { agent, step });
  }

  /** Records a verdict as an item: guards are authors too, so the tracer sees them. */
  recordVerdict(verdict: Verdict, step: number, derivedFrom: string[], audience: string[]): Item {
    this.logger.debug(
      {
        runId: this.runId,
        step,
        guard: verdict.guard,
        hook: verdict.hook,
        decision: verdict.decision,
        failClosed: verdict.failClosed ?? false,
      },
      "guard verdict",
    );
    return this.emit({
      step,
      author: `guard:${verdict.guard}`,
      kind: "verdict",
      content: verdict,
      audience,
      labels: [verdict.decision, ...(verdict.failClosed ? ["fail-closed"] : [])],
      derivedFrom,
    });
  }

  private toolEvent(
    agent: string,
    step: number,
    tool: string,
    idempotencyKey: string,
    status: ToolCallResult["status"] | "unresolved",
    itemId?: string,
  ): void {
    this.logger.debug({ runId: this.runId, step, agent, tool, status }, "tool call");
    this.writer.record({
      type: "tool",
      runId: this.runId,
      step,
      agent,
      tool,
      idempotencyKey,
      status,
      ...(itemId !== undefined ? { itemId } : {}),
    });
  }

  private timeout(): { timeoutMs?: number } {
    return this.guardTimeoutMs === undefined ? {} : { timeoutMs: this.guardTimeoutMs };
  }
}

const ORDER: Sensitivity[] = ["public", "internal", "private", "sensitive"];
function maxSensitivity(a: Sensitivity, b: Sensitivity): Sensitivity {
  return ORDER.indexOf(a) >= ORDER.indexOf(b) ? a : b;
}

/** Whether the tool itself asks for approval of this call. */
async function declaresApproval<Args>(
  tool: ToolSpec<Args>,
  args: Args,
  context: ToolRunContext,
): Promise<boolean> {
  const ask = tool.needsApproval;
  return typeof ask === "function" ? await ask(args, context) : ask === true;
}

/** The approver's answer as a verdict, so the log, the events and the tracer show who decided. */
function approverVerdict(decision: "allow" | "block", rationale: string): Verdict {
  return { guard: "approval", hook: "tool_call", decision, flagged: decision === "block", rationale };
}
