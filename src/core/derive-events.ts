import { z } from "zod";
import type { RunEvent } from "./events.js";
import type { Item } from "./item.js";
import { redactItem } from "./redact.js";
import type { RunFile } from "./runfile.js";
import type { GuardVerdictSummary, NewTeamEvent, TeamEvent, ToolApprovalWaiting } from "./team-events.js";

/** The parts of item contents the events read; anything else in them is never looked at. */
const VerdictContent = z.object({
  guard: z.string(),
  hook: z.enum(["plan", "message", "tool_call"]),
  decision: z.string(),
  rationale: z.string().default(""),
  failClosed: z.boolean().optional(),
});
const PlanContent = z.object({
  steps: z.array(
    z.object({
      id: z.string(),
      assignee: z.string(),
      toolCalls: z.array(z.object({ tool: z.string() })).default([]),
      dependsOn: z.array(z.string()).default([]),
    }),
  ),
});
const VerificationContent = z.object({
  stepId: z.string().optional(),
  final: z.boolean().optional(),
  pass: z.boolean(),
  reasons: z.array(z.string()).default([]),
});
const DecisionContent = z.object({
  route: z.string(),
  reason: z.string().default(""),
  steps: z.array(z.string()).default([]),
});
const ApprovalContent = z.object({
  approval: z.enum(["approve", "reject", "edit"]),
  note: z.string().optional(),
});
const ToolCallContent = z.object({ tool: z.string() });

const MESSAGE_KINDS = new Set<Item["kind"]>(["message", "answer", "query", "step_output", "final_answer"]);

export interface AgentStep {
  agent: string;
  step: number;
}

/**
 * The agent step an event belongs to, if any: a message's delivery and a guard's verdict on a
 * message or tool call belong to the step of its author.
 */
export function agentStepOf(
  event: RunEvent,
  item: (id: string) => Item | undefined,
  agents: ReadonlySet<string>,
): AgentStep | undefined {
  let at: AgentStep | undefined;
  if (event.type === "item") {
    const it = item(event.itemId);
    const subject = it?.kind === "verdict" && it.derivedFrom[0] ? item(it.derivedFrom[0]) : it;
    at = subject && { agent: subject.author, step: subject.step };
  } else if (event.type === "delivered") {
    const agent = event.via === "message" ? item(event.itemId)?.author : event.to;
    at = agent === undefined ? undefined : { agent, step: event.step };
  } else if (
    event.type === "denied" ||
    event.type === "tool" ||
    event.type === "model_call" ||
    event.type === "error"
  )
    at = event.agent === undefined ? undefined : { agent: event.agent, step: event.step };
  // Step 0 is the run's setup (the task and the memory given before it starts), no agent's turn.
  return at && at.step > 0 && agents.has(at.agent) ? at : undefined;
}

/** A verdict as events carry it: the guard, its decision and reason. */
export function verdictSummary(v: z.infer<typeof VerdictContent>): GuardVerdictSummary {
  return { guard: v.guard, decision: v.decision, reason: v.rationale, failClosed: v.failClosed ?? false };
}

/**
 * Turns the log's records (items, deliveries, tool runs, model calls) into team events, one
 * record at a time, so a live run and a saved run file give the same events. Items are read
 * through `redactItem`: what an event may carry is what a run file may.
 */
export class TeamEventDeriver {
  private readonly open = new Set<string>();
  private pending: { draft: Item; reasons: string[] } | undefined;
  /** Calls not yet resolved, per agent step and tool, in call order. */
  private readonly calls = new Map<string, string[]>();
  /**
   * A call its guards withheld: its item is private, so its tool is named by the blocked `tool`
   * record that follows; its verdicts wait for that record so they come after the call.
   */
  private held: { call: Item; verdicts: NewTeamEvent[]; reasons: string[] } | undefined;

  constructor(
    private readonly runId: string,
    private readonly lookup: (id: string) => Item | undefined,
    private readonly agents: ReadonlySet<string>,
  ) {}

  push(event: RunEvent): NewTeamEvent[] {
    const out: NewTeamEvent[] = [];
    if (this.pending && !this.continuesDraft(event)) out.push(...this.flush());
    const at = agentStepOf(event, this.lookup, this.agents);
    if (at && !this.open.has(key(at))) {
      this.open.add(key(at));
      out.push({ type: "step.started", runId: event.runId, step: at.step, agent: at.agent });
    }
    out.push(...this.fromRecord(event));
    return out;
  }

  /** Resolves a withheld message that nothing replaced: it was blocked. */
  flush(): NewTeamEvent[] {
    const p = this.pending;
    if (!p) return [];
    this.pending = undefined;
    const { draft } = p;
    return [
      {
        type: "message.blocked",
        runId: draft.runId,
        step: draft.step,
        draftItemId: draft.id,
        from: draft.author,
        reasons: p.reasons,
      },
    ];
  }

  /** Ends the given agent steps (all open ones when none are given). */
  finishSteps(steps?: ReadonlyArray<AgentStep>): NewTeamEvent[] {
    const wanted = steps ? new Set(steps.map(key)) : new Set(this.open);
    const out: NewTeamEvent[] = [];
    const p = this.pending?.draft;
    if (p && wanted.has(key({ agent: p.author, step: p.step }))) out.push(...this.flush());
    for (const k of wanted) {
      if (!this.open.delete(k)) continue;
      const [agent, step] = k.split("\u0000") as [string, string];
      out.push({ type: "step.finished", runId: this.runId, step: Number(step), agent });
    }
    return out;
  }

  private continuesDraft(event: RunEvent): boolean {
    if (event.type !== "item") return false;
    const it = this.lookup(event.itemId);
    return it?.derivedFrom[0] === this.pending?.draft.id;
  }

  private fromRecord(event: RunEvent): NewTeamEvent[] {
    const { runId, step } = event;
    switch (event.type) {
      case "item": {
        const raw = this.lookup(event.itemId);
        return raw ? this.fromItem(redactItem(raw)) : [];
      }
      case "delivered": {
        if (event.via !== "message") return [];
        const from = this.lookup(event.itemId)?.author ?? "";
        return [{ type: "message.delivered", runId, step, itemId: event.itemId, from, to: event.to }];
      }
      case "denied":
        return [
          {
            type: "access.denied",
            runId,
            step,
            agent: event.agent,
            via: event.via,
            reason: event.reason,
            ...(event.itemId !== undefined ? { itemId: event.itemId } : {}),
          },
        ];
      case "tool":
        return this.toolResult(event);
      case "model_call":
        return [
          {
            type: "model.called",
            runId,
            step,
            agent: event.agent,
            model: event.model,
            inputTokens: event.inputTokens,
            outputTokens: event.outputTokens,
          },
        ];
      case "error":
        return [
          {
            type: "error.recorded",
            runId,
            step,
            code: event.code,
            message: event.message,
            ...(event.agent !== undefined ? { agent: event.agent } : {}),
          },
        ];
      default:
        return [];
    }
  }

  private toolResult(event: Extract<RunEvent, { type: "tool" }>): NewTeamEvent[] {
    const { runId, step, agent, tool } = event;
    const held = this.held;
    const out: NewTeamEvent[] = [];
    let callItemId: string | undefined;
    const blocked = event.status === "blocked" && held?.call.author === agent && held.call.step === step;
    if (blocked && held) {
      this.held = undefined;
      callItemId = held.call.id;
      out.push({ type: "tool.called", runId, step, agent, tool, callItemId }, ...held.verdicts);
    } else callItemId = this.calls.get(`${agent}\u0000${step}\u0000${tool}`)?.shift();
    out.push({
      type: "tool.result",
      runId,
      step,
      agent,
      tool,
      status: event.status,
      reasons: blocked && held ? held.reasons : [],
      ...(callItemId ? { callItemId } : {}),
      ...(event.itemId !== undefined && event.status !== "blocked" ? { resultItemId: event.itemId } : {}),
    });
    return out;
  }

  private fromItem(item: Item): NewTeamEvent[] {
    const { runId, step } = item;
    const out: NewTeamEvent[] = [
      {
        type: "item.recorded",
        runId,
        step,
        itemId: item.id,
        kind: item.kind,
        author: item.author,
        audience: [...item.audience],
        sensitivity: item.sensitivity,
        labels: [...item.labels],
        derivedFrom: [...item.derivedFrom],
        content: item.content,
      },
    ];
    const special = this.special(item);
    if (special) out.push(special);
    return out;
  }

  private special(item: Item): NewTeamEvent | undefined {
    const { runId, step, author } = item;
    if (item.kind === "plan") {
      const plan = PlanContent.safeParse(item.content);
      if (!plan.success) return undefined;
      const steps = plan.data.steps.map((s) => ({
        id: s.id,
        assignee: s.assignee,
        tools: s.toolCalls.map((t) => t.tool),
        dependsOn: s.dependsOn,
      }));
      const edited = item.labels.includes("edited");
      return { type: "plan.proposed", runId, step, agent: author, planItemId: item.id, edited, steps };
    }
    if (item.kind === "verdict") return this.verdict(item);
    if (item.kind === "verification") {
      const v = VerificationContent.safeParse(item.content);
      if (!v.success) return undefined;
      const { stepId, final, pass, reasons } = v.data;
      return {
        type: "verifier.verdict",
        runId,
        step,
        agent: author,
        itemId: item.id,
        final: final ?? false,
        pass,
        reasons,
        ...(stepId !== undefined ? { stepId } : {}),
      };
    }
    if (item.kind === "note") return this.note(item);
    if (item.kind === "tool_call" && item.labels.includes("withheld")) {
      this.held = { call: item, verdicts: [], reasons: [] };
      return undefined;
    }
    if (item.kind === "tool_call") {
      const call = ToolCallContent.safeParse(item.content);
      const tool = call.success ? call.data.tool : "unknown";
      const k = `${author}\u0000${step}\u0000${tool}`;
      this.calls.set(k, [...(this.calls.get(k) ?? []), item.id]);
      return { type: "tool.called", runId, step, agent: author, tool, callItemId: item.id };
    }
    if (MESSAGE_KINDS.has(item.kind)) return this.message(item);
    return undefined;
  }

  private verdict(item: Item): NewTeamEvent | undefined {
    const parsed = VerdictContent.safeParse(item.content);
    if (!parsed.success) return undefined;
    const v = parsed.data;
    const subject = item.derivedFrom[0] ?? "";
    const s = verdictSummary(v);
    if (v.hook === "plan")
      return { type: "plan.verdict", runId: item.runId, step: item.step, planItemId: subject, ...s };
    if (v.decision !== "allow" && this.pending?.draft.id === subject) this.pending.reasons.push(v.rationale);
    const event: NewTeamEvent = {
      type: "guard.verdict",
      runId: item.runId,
      step: item.step,
      hook: v.hook,
      subjectItemId: subject,
      ...s,
    };
    if (this.held?.call.id !== subject) return event;
    this.held.verdicts.push(event);
    if (v.decision !== "allow") this.held.reasons.push(v.rationale);
    return undefined;
  }

  private note(item: Item): NewTeamEvent | undefined {
    const { runId, step, author } = item;
    if (item.labels.some((l) => l.startsWith("route:"))) {
      const d = DecisionContent.safeParse(item.content);
      if (d.success) return { type: "supervisor.decision", runId, step, agent: author, ...d.data };
    }
    if (item.labels.some((l) => l.startsWith("approval:"))) {
      const a = ApprovalContent.safeParse(item.content);
      if (a.success)
        return {
          type: "approval.decided",
          runId,
          step,
          action: a.data.approval,
          ...(a.data.note !== undefined ? { note: a.data.note } : {}),
        };
    }
    return undefined;
  }

  private message(item: Item): NewTeamEvent | undefined {
    if (item.labels.includes("withheld")) {
      this.pending = { draft: item, reasons: [] };
      return undefined;
    }
    const mode = item.labels.includes("redacted")
      ? "redact"
      : item.labels.includes("vague")
        ? "vague"
        : undefined;
    const p = this.pending;
    if (!mode || !p || item.derivedFrom[0] !== p.draft.id) return undefined;
    this.pending = undefined;
    return {
      type: "message.redacted",
      runId: item.runId,
      step: item.step,
      mode,
      itemId: item.id,
      draftItemId: p.draft.id,
      from: item.author,
      to: [...item.audience],
      reasons: p.reasons,
    };
  }
}

function key(s: AgentStep): string {
  return `${s.agent}\u0000${s.step}`;
}

/** Numbers events in stream order. */
export function numberEvents(events: ReadonlyArray<NewTeamEvent>, from = 0): TeamEvent[] {
  return events.map((e, i) => ({ ...e, seq: from + i }) as TeamEvent);
}

/** The terminal event of a run with this status. */
export function terminalEvent(
  runId: string,
  step: number,
  status: RunFile["status"] | "running",
  reason: string | null | undefined,
  finalAnswer: string | null,
): NewTeamEvent {
  if (status === "failed") return { type: "run.failed", runId, step, reason: reason ?? "failed" };
  return {
    type: "run.finished",
    runId,
    step,
    status: status === "running" ? "interrupted" : status,
    finalAnswer,
    ...(reason ? { reason } : {}),
  };
}

/**
 * The events of a saved run, as `team.stream()` gave them: each agent step ends after its last
 * record (a live stream ends it when its graph node returns, which may be a little later).
 */
export function teamEventsOf(run: RunFile): TeamEvent[] {
  const items = new Map(run.items.map((i) => [i.id, i]));
  const lookup = (id: string) => items.get(id);
  const agents = new Set(run.agents);
  const last = new Map<string, number>();
  run.events.forEach((e, i) => {
    const at = agentStepOf(e, lookup, agents);
    if (at) last.set(key(at), i);
  });
  const deriver = new TeamEventDeriver(run.runId, lookup, agents);
  const out: NewTeamEvent[] = [
    { type: "run.started", runId: run.runId, step: 0, threadId: run.threadId, resumed: false },
  ];
  run.events.forEach((e, i) => {
    out.push(...deriver.push(e));
    const at = agentStepOf(e, lookup, agents);
    if (at && last.get(key(at)) === i) out.push(...deriver.finishSteps([at]));
  });
  out.push(...deriver.flush(), ...deriver.finishSteps());
  const step = run.events.reduce((m, e) => Math.max(m, e.step), 0);
  if (run.status === "interrupted") {
    const request = run.waitingFor
      ? toolApprovalEvent(run.waitingFor, run.runId)
      : approvalOf(run.items, run.runId, step);
    if (request) out.push(request);
  }
  out.push(terminalEvent(run.runId, step, run.status, run.reason, run.finalAnswer));
  return numberEvents(out);
}

/** The approval a run waits for on a tool call, as the stream tells it. */
export function toolApprovalEvent(waiting: ToolApprovalWaiting, runId: string): NewTeamEvent {
  const { step, agent, tool, idempotencyKey, verdicts } = waiting;
  return { type: "approval.requested", runId, step, tool: { agent, name: tool, idempotencyKey }, verdicts };
}

/** The approval a run waits for: the last plan and its verdicts that asked for one. */
export function approvalOf(
  items: ReadonlyArray<Item>,
  runId: string,
  step: number,
): NewTeamEvent | undefined {
  const plan = [...items].reverse().find((i) => i.kind === "plan");
  if (!plan) return undefined;
  const verdicts = items
    .filter((i) => i.kind === "verdict" && i.derivedFrom[0] === plan.id)
    .map((i) => VerdictContent.safeParse(i.content))
    .filter((v) => v.success)
    .map((v) => verdictSummary(v.data));
  if (!verdicts.some((v) => v.decision === "needs_approval")) return undefined;
  return { type: "approval.requested", runId, step, planItemId: plan.id, verdicts };
}
