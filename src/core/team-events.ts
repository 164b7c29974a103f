import { z } from "zod";
import { DeliveryVia, ToolCallStatus } from "./events.js";
import { ItemKind, Sensitivity } from "./item.js";

/**
 * What a team run tells its watchers as it happens: the one vocabulary of `team.stream()`, of the
 * events derived from a saved run file, and of the OpenTelemetry span events. Built from the
 * redacted view of the log, so no event carries a private value: a blocked or redacted delivery
 * carries the guards' reasons, never what was withheld.
 */
const base = {
  /** Position in the stream of this run (0-based). */
  seq: z.number().int().nonnegative(),
  runId: z.string().min(1),
  step: z.number().int().nonnegative(),
};
const agent = z.string().min(1);
const reasons = z.array(z.string());

const GuardVerdictSummary = z.object({
  guard: z.string(),
  decision: z.string(),
  reason: z.string(),
  failClosed: z.boolean(),
});
export type GuardVerdictSummary = z.infer<typeof GuardVerdictSummary>;

/** A tool call a run waits on approval for: who calls which tool, never its arguments. */
export const ToolApprovalWaitingSchema = z.object({
  step: z.number().int().nonnegative(),
  agent: z.string().min(1),
  tool: z.string(),
  idempotencyKey: z.string(),
  verdicts: z.array(GuardVerdictSummary),
});
export type ToolApprovalWaiting = z.infer<typeof ToolApprovalWaitingSchema>;

export const TeamEventSchema = z.discriminatedUnion("type", [
  z.object({ ...base, type: z.literal("run.started"), threadId: z.string(), resumed: z.boolean() }),
  z.object({
    ...base,
    type: z.literal("plan.proposed"),
    agent,
    planItemId: z.string(),
    edited: z.boolean(),
    /** The plan's shape: tool names, never their arguments. */
    steps: z.array(
      z.object({
        id: z.string(),
        assignee: z.string(),
        tools: z.array(z.string()),
        dependsOn: z.array(z.string()),
      }),
    ),
  }),
  z.object({
    ...base,
    type: z.literal("plan.verdict"),
    planItemId: z.string(),
    ...GuardVerdictSummary.shape,
  }),
  z.object({
    ...base,
    type: z.literal("approval.requested"),
    /** For a plan approval: the plan waiting. */
    planItemId: z.string().optional(),
    /** For a tool approval: who calls which tool (its arguments stay out of the stream). */
    tool: z.object({ agent, name: z.string(), idempotencyKey: z.string() }).optional(),
    verdicts: z.array(GuardVerdictSummary),
  }),
  z.object({
    ...base,
    type: z.literal("approval.decided"),
    action: z.enum(["approve", "reject", "edit"]),
    note: z.string().optional(),
  }),
  z.object({ ...base, type: z.literal("step.started"), agent }),
  z.object({ ...base, type: z.literal("step.finished"), agent }),
  z.object({
    ...base,
    type: z.literal("item.recorded"),
    itemId: z.string(),
    kind: ItemKind,
    author: z.string(),
    audience: z.array(z.string()),
    sensitivity: Sensitivity,
    labels: z.array(z.string()),
    derivedFrom: z.array(z.string()),
    /** The item's content, or `[redacted]:<sensitivity>` for private and sensitive items. */
    content: z.unknown(),
  }),
  z.object({ ...base, type: z.literal("tool.called"), agent, tool: z.string(), callItemId: z.string() }),
  z.object({
    ...base,
    type: z.literal("tool.result"),
    agent,
    tool: z.string(),
    status: ToolCallStatus,
    callItemId: z.string().optional(),
    resultItemId: z.string().optional(),
    /** For a blocked call: the guards' reasons. */
    reasons,
  }),
  z.object({
    ...base,
    type: z.literal("model.called"),
    agent,
    model: z.string(),
    inputTokens: z.number().int().nonnegative(),
    outputTokens: z.number().int().nonnegative(),
  }),
  z.object({
    ...base,
    type: z.literal("guard.verdict"),
    hook: z.enum(["message", "tool_call"]),
    subjectItemId: z.string(),
    ...GuardVerdictSummary.shape,
  }),
  z.object({
    ...base,
    type: z.literal("message.delivered"),
    itemId: z.string(),
    from: z.string(),
    to: z.string(),
  }),
  z.object({
    ...base,
    type: z.literal("message.redacted"),
    mode: z.enum(["redact", "vague"]),
    itemId: z.string(),
    draftItemId: z.string(),
    from: z.string(),
    to: z.array(z.string()),
    reasons,
  }),
  z.object({
    ...base,
    type: z.literal("message.blocked"),
    draftItemId: z.string(),
    from: z.string(),
    reasons,
  }),
  z.object({
    ...base,
    type: z.literal("access.denied"),
    agent,
    itemId: z.string().optional(),
    via: DeliveryVia,
    reason: z.string(),
  }),
  z.object({
    ...base,
    type: z.literal("verifier.verdict"),
    agent,
    itemId: z.string(),
    stepId: z.string().optional(),
    final: z.boolean(),
    pass: z.boolean(),
    reasons,
  }),
  z.object({
    ...base,
    type: z.literal("supervisor.decision"),
    agent,
    route: z.string(),
    reason: z.string(),
    steps: z.array(z.string()),
  }),
  z.object({
    ...base,
    type: z.literal("error.recorded"),
    agent: z.string().optional(),
    code: z.string(),
    message: z.string(),
  }),
  z.object({
    ...base,
    type: z.literal("run.finished"),
    status: z.enum(["finished", "blocked", "stopped", "interrupted"]),
    reason: z.string().optional(),
    finalAnswer: z.string().nullable(),
  }),
  z.object({ ...base, type: z.literal("run.failed"), reason: z.string() }),
]);
export type TeamEvent = z.infer<typeof TeamEventSchema>;
export type TeamEventType = TeamEvent["type"];
export const TEAM_EVENT_TYPES = TeamEventSchema.options.map((o) => o.shape.type.value) as TeamEventType[];

/** An event before the stream numbers it. */
export type NewTeamEvent = TeamEvent extends infer E ? (E extends TeamEvent ? Omit<E, "seq"> : never) : never;

/** Something that watches team runs (an OpenTelemetry exporter, a progress display, a test). */
export interface TeamObserver {
  onEvent(event: TeamEvent): void;
}
