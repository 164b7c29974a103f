import type { TeamEvent } from "../../core/index.js";
import {
  ATTR_ERROR_TYPE,
  ATTR_GEN_AI_AGENT_NAME,
  ATTR_GEN_AI_CONVERSATION_ID,
  ATTR_GEN_AI_OPERATION_NAME,
  ATTR_GEN_AI_REQUEST_MODEL,
  ATTR_GEN_AI_TOOL_CALL_ID,
  ATTR_GEN_AI_TOOL_NAME,
  ATTR_GEN_AI_TOOL_TYPE,
  ATTR_GEN_AI_USAGE_INPUT_TOKENS,
  ATTR_GEN_AI_USAGE_OUTPUT_TOKENS,
  GEN_AI_OPERATION_CHAT,
  GEN_AI_OPERATION_EXECUTE_TOOL,
  GEN_AI_OPERATION_INVOKE_AGENT,
  GEN_AI_OPERATION_INVOKE_WORKFLOW,
  type SpanKindName,
} from "./semconv.js";

export type AttributeValue = string | number | boolean | string[];
export type Attributes = Record<string, AttributeValue>;

/** The little of a span the builder uses; an OpenTelemetry tracer or a recorder provides it. */
export interface SpanHandle {
  addEvent(name: string, attributes: Attributes, timeMs: number): void;
  setAttributes(attributes: Attributes): void;
  setError(message: string): void;
  end(timeMs: number): void;
}

export interface SpanTarget {
  startSpan(
    name: string,
    options: { kind: SpanKindName; attributes: Attributes; startMs: number },
    parent: SpanHandle | undefined,
  ): SpanHandle;
}

/** Events that become span events, on the span of the agent step (or tool call) they belong to. */
const SPAN_EVENTS = new Set<TeamEvent["type"]>([
  "plan.proposed",
  "plan.verdict",
  "approval.requested",
  "approval.decided",
  "guard.verdict",
  "message.redacted",
  "message.blocked",
  "access.denied",
  "verifier.verdict",
  "supervisor.decision",
  "error.recorded",
]);
/** Span-event attributes never carry these fields (content could hold private values). */
const NOT_ATTRIBUTES = new Set(["seq", "runId", "type", "content", "step"]);

interface Open {
  span: SpanHandle;
  last: number;
}

/**
 * Turns one run's team events into GenAI-convention spans: `invoke_workflow <team>` for the run,
 * `invoke_agent <agent>` per agent step, `execute_tool <tool>` per tool call, `chat <model>` per
 * model call, and guard verdicts, blocked and redacted deliveries, verifier verdicts and
 * supervisor decisions as span events named as the team events are.
 */
export class RunSpanBuilder {
  private root: Open | undefined;
  private readonly agents = new Map<string, Open>();
  private readonly tools = new Map<string, Open>();
  /** Item id -> agent step key, to put verdicts on the span of what they judged. */
  private readonly owners = new Map<string, string>();

  constructor(
    private readonly target: SpanTarget,
    private readonly workflow: string,
    private readonly clock: () => number,
  ) {}

  get done(): boolean {
    return this.root === undefined && this.agents.size === 0;
  }

  handle(event: TeamEvent): void {
    const now = this.clock();
    if (event.type === "run.started") {
      this.start(event, now);
      return;
    }
    if (!this.root) return;
    this.root.last = now;
    const owner = this.ownerKey(event);
    const agent = owner ? this.agents.get(owner) : undefined;
    switch (event.type) {
      case "step.started":
        this.agents.set(stepKey(event.agent, event.step), {
          span: this.target.startSpan(
            `${GEN_AI_OPERATION_INVOKE_AGENT} ${event.agent}`,
            {
              kind: "internal",
              startMs: now,
              attributes: {
                [ATTR_GEN_AI_OPERATION_NAME]: GEN_AI_OPERATION_INVOKE_AGENT,
                [ATTR_GEN_AI_AGENT_NAME]: event.agent,
                "quorum.step": event.step,
              },
            },
            this.root.span,
          ),
          last: now,
        });
        return;
      case "step.finished":
        if (agent && owner) {
          agent.span.end(agent.last);
          this.agents.delete(owner);
        }
        return;
      case "item.recorded":
        this.owners.set(event.itemId, stepKey(event.author, event.step));
        break;
      case "tool.called":
        this.startTool(event, agent, now);
        break;
      case "tool.result":
        this.endTool(event, now);
        break;
      case "model.called":
        this.chat(event, agent, now);
        break;
      case "run.finished":
      case "run.failed":
        this.finish(event, now);
        return;
    }
    if (SPAN_EVENTS.has(event.type))
      this.spanFor(event, agent).addEvent(event.type, eventAttributes(event), now);
    if (agent) agent.last = now;
  }

  private start(event: Extract<TeamEvent, { type: "run.started" }>, now: number): void {
    this.root = {
      span: this.target.startSpan(
        `${GEN_AI_OPERATION_INVOKE_WORKFLOW} ${this.workflow}`,
        {
          kind: "internal",
          startMs: now,
          attributes: {
            [ATTR_GEN_AI_OPERATION_NAME]: GEN_AI_OPERATION_INVOKE_WORKFLOW,
            [ATTR_GEN_AI_AGENT_NAME]: this.workflow,
            [ATTR_GEN_AI_CONVERSATION_ID]: event.threadId,
            "quorum.run.id": event.runId,
            "quorum.run.resumed": event.resumed,
          },
        },
        undefined,
      ),
      last: now,
    };
  }

  private startTool(
    event: Extract<TeamEvent, { type: "tool.called" }>,
    agent: Open | undefined,
    now: number,
  ): void {
    const span = this.target.startSpan(
      `${GEN_AI_OPERATION_EXECUTE_TOOL} ${event.tool}`,
      {
        kind: "internal",
        startMs: now,
        attributes: {
          [ATTR_GEN_AI_OPERATION_NAME]: GEN_AI_OPERATION_EXECUTE_TOOL,
          [ATTR_GEN_AI_TOOL_NAME]: event.tool,
          [ATTR_GEN_AI_TOOL_CALL_ID]: event.callItemId,
          [ATTR_GEN_AI_TOOL_TYPE]: "function",
          [ATTR_GEN_AI_AGENT_NAME]: event.agent,
        },
      },
      (agent ?? this.root)?.span,
    );
    this.tools.set(event.callItemId, { span, last: now });
  }

  private endTool(event: Extract<TeamEvent, { type: "tool.result" }>, now: number): void {
    const open = event.callItemId ? this.tools.get(event.callItemId) : undefined;
    if (!open || !event.callItemId) return;
    open.span.setAttributes({ "quorum.tool.status": event.status });
    if (event.status === "blocked" || event.status === "error") {
      open.span.setAttributes({
        [ATTR_ERROR_TYPE]: event.status === "blocked" ? "blocked_by_guard" : "tool_error",
      });
      open.span.setError(event.status === "blocked" ? event.reasons.join("; ") || "blocked" : "tool failed");
    }
    open.span.end(now);
    this.tools.delete(event.callItemId);
  }

  private chat(
    event: Extract<TeamEvent, { type: "model.called" }>,
    agent: Open | undefined,
    now: number,
  ): void {
    // The log records a model call when it returns; it began after the agent's previous record.
    const span = this.target.startSpan(
      `${GEN_AI_OPERATION_CHAT} ${event.model}`,
      {
        kind: "client",
        startMs: agent?.last ?? now,
        attributes: {
          [ATTR_GEN_AI_OPERATION_NAME]: GEN_AI_OPERATION_CHAT,
          [ATTR_GEN_AI_REQUEST_MODEL]: event.model,
          [ATTR_GEN_AI_USAGE_INPUT_TOKENS]: event.inputTokens,
          [ATTR_GEN_AI_USAGE_OUTPUT_TOKENS]: event.outputTokens,
          [ATTR_GEN_AI_AGENT_NAME]: event.agent,
        },
      },
      (agent ?? this.root)?.span,
    );
    span.end(now);
  }

  private finish(event: Extract<TeamEvent, { type: "run.finished" | "run.failed" }>, now: number): void {
    for (const open of this.tools.values()) open.span.end(now);
    for (const open of this.agents.values()) open.span.end(open.last);
    this.tools.clear();
    this.agents.clear();
    const root = this.root;
    if (!root) return;
    if (event.type === "run.failed") {
      root.span.setAttributes({ "quorum.run.status": "failed", "quorum.run.reason": event.reason });
      root.span.setError(event.reason);
    } else {
      root.span.setAttributes({
        "quorum.run.status": event.status,
        ...(event.reason ? { "quorum.run.reason": event.reason } : {}),
      });
    }
    root.span.end(now);
    this.root = undefined;
  }

  /** The agent step an event belongs to: its agent (or sender) at its step. */
  private ownerKey(event: TeamEvent): string | undefined {
    if (event.type === "guard.verdict") {
      return this.owners.get(event.subjectItemId);
    }
    const who = "agent" in event ? event.agent : "from" in event ? event.from : undefined;
    return who === undefined ? undefined : stepKey(who, event.step);
  }

  /** A tool call's verdicts go on its tool span; run-level events on the run's span. */
  private spanFor(event: TeamEvent, agent: Open | undefined): SpanHandle {
    if (event.type === "guard.verdict") {
      const tool = this.tools.get(event.subjectItemId);
      if (tool) return tool.span;
    }
    const runLevel = event.type === "plan.verdict" || event.type.startsWith("approval.");
    return (runLevel ? undefined : agent?.span) ?? (this.root as Open).span;
  }
}

function stepKey(agent: string, step: number): string {
  return `${agent}\u0000${step}`;
}

/** A team event's fields as span-event attributes (`quorum.<field>`), content never included. */
export function eventAttributes(event: TeamEvent): Attributes {
  const out: Attributes = { "quorum.step": event.step };
  for (const [k, v] of Object.entries(event)) {
    if (NOT_ATTRIBUTES.has(k) || v === undefined || v === null) continue;
    if (typeof v === "string" || typeof v === "number" || typeof v === "boolean") out[`quorum.${k}`] = v;
    else if (Array.isArray(v) && v.every((x) => typeof x === "string")) out[`quorum.${k}`] = v as string[];
    else out[`quorum.${k}`] = JSON.stringify(v);
  }
  return out;
}
