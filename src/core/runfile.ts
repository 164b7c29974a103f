import { z } from "zod";
import { RunEventSchema } from "./events.js";
import { ItemSchema } from "./item.js";
import { ToolApprovalWaitingSchema } from "./team-events.js";

export const RUN_FILE_FORMAT = "quorum.run";
export const RUN_FILE_VERSION = 1;

export const UsageSchema = z.object({
  modelCalls: z.number().int().nonnegative(),
  inputTokens: z.number().int().nonnegative(),
  outputTokens: z.number().int().nonnegative(),
  byAgent: z.record(
    z.string(),
    z.object({
      modelCalls: z.number().int().nonnegative(),
      inputTokens: z.number().int().nonnegative(),
      outputTokens: z.number().int().nonnegative(),
    }),
  ),
});
export type Usage = z.infer<typeof UsageSchema>;

export const RunStatus = z.enum(["finished", "failed", "blocked", "interrupted", "stopped"]);
export type RunStatus = z.infer<typeof RunStatus>;

/** The saved form of a run: complete or absent (written atomically). */
export const RunFileSchema = z.object({
  format: z.literal(RUN_FILE_FORMAT),
  version: z.literal(RUN_FILE_VERSION),
  runId: z.string().min(1),
  threadId: z.string().min(1),
  scenario: z.string().optional(),
  task: z.string(),
  status: RunStatus,
  reason: z.string().optional(),
  finalAnswer: z.string().nullable(),
  agents: z.array(z.string()),
  items: z.array(ItemSchema),
  events: z.array(RunEventSchema),
  /** Ids of the verdict items, in order, for a quick look without scanning items. */
  verdicts: z.array(z.string()),
  usage: UsageSchema,
  /** True when private content was kept at the user's request. */
  includesPrivate: z.boolean(),
  /** For a run paused on a tool call's approval: that call (its arguments stay out). */
  waitingFor: ToolApprovalWaitingSchema.optional(),
});
export type RunFile = z.infer<typeof RunFileSchema>;

export function emptyUsage(): Usage {
  return { modelCalls: 0, inputTokens: 0, outputTokens: 0, byAgent: {} };
}
