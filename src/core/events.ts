import { z } from "zod";

/** How a tool call ended: run, replayed from the journal, retried after a crash, left unresolved, blocked or failed. */
export const ToolCallStatus = z.enum(["executed", "replayed", "retried", "unresolved", "blocked", "error"]);
export type ToolCallStatus = z.infer<typeof ToolCallStatus>;

/** How an item reached an agent: every path is named so access control can be audited per path. */
export const DeliveryVia = z.enum(["message", "memory", "tool_result", "context", "summary"]);
export type DeliveryVia = z.infer<typeof DeliveryVia>;

const base = {
  seq: z.number().int().nonnegative(),
  runId: z.string().min(1),
  step: z.number().int().nonnegative(),
};

export const RunEventSchema = z.discriminatedUnion("type", [
  z.object({ ...base, type: z.literal("item"), itemId: z.string() }),
  z.object({
    ...base,
    type: z.literal("delivered"),
    itemId: z.string(),
    to: z.string(),
    via: DeliveryVia,
  }),
  z.object({
    ...base,
    type: z.literal("denied"),
    itemId: z.string().optional(),
    agent: z.string(),
    via: DeliveryVia,
    reason: z.string(),
  }),
  z.object({
    ...base,
    type: z.literal("tool"),
    agent: z.string(),
    tool: z.string(),
    idempotencyKey: z.string(),
    status: ToolCallStatus,
    itemId: z.string().optional(),
  }),
  z.object({
    ...base,
    type: z.literal("model_call"),
    agent: z.string(),
    model: z.string(),
    inputTokens: z.number().int().nonnegative(),
    outputTokens: z.number().int().nonnegative(),
  }),
  z.object({
    ...base,
    type: z.literal("error"),
    agent: z.string().optional(),
    code: z.string(),
    message: z.string(),
  }),
  z.object({
    ...base,
    type: z.literal("status"),
    status: z.enum(["started", "interrupted", "resumed", "finished", "failed", "stopped"]),
    reason: z.string().optional(),
  }),
]);
export type RunEvent = z.infer<typeof RunEventSchema>;
export type RunEventType = RunEvent["type"];

/** Distributes Omit over the union so each event keeps its own fields. */
export type NewRunEvent = RunEvent extends infer E ? (E extends RunEvent ? Omit<E, "seq"> : never) : never;
