import { z } from "zod";
import { type Plan, PlanSchema } from "../agents/schemas.js";
import { fromZodError, type ToolApprovalWaiting, UserInputError, verdictSummary } from "../core/index.js";
import type { Verdict } from "../guards/types.js";

/** A plan the plan guards sent for approval before any of its steps runs. */
export interface PlanApprovalRequest {
  kind: "plan_approval";
  planItemId: string;
  plan: Plan;
  verdicts: Verdict[];
}

/**
 * One tool call waiting for a decision: the tool declares `needsApproval`, or a tool-call guard
 * answered `needs_approval`. The arguments are the caller's own, shown to the one who decides.
 */
export interface ToolApprovalRequest {
  kind: "tool_approval";
  agent: string;
  step: number;
  tool: string;
  args: Record<string, unknown>;
  idempotencyKey: string;
  /** Why it asks: the tool's declaration or the guards' rationales. */
  reason: string;
  verdicts: Verdict[];
}

export type ApprovalRequest = PlanApprovalRequest | ToolApprovalRequest;

const note = z.string().optional();
export const ApprovalDecisionSchema = z.union([
  z.strictObject({ action: z.literal("approve"), note }),
  z.strictObject({ action: z.literal("reject"), note }),
  /** For a plan approval: the plan to run instead (checked by the plan guards again). */
  z.strictObject({ action: z.literal("edit"), plan: PlanSchema, note }),
  /** For a tool approval: the arguments to call it with instead (checked by the tool-call guards again). */
  z.strictObject({ action: z.literal("edit"), args: z.record(z.string(), z.unknown()), note }),
]);
export type ApprovalDecision = z.infer<typeof ApprovalDecisionSchema>;

/** Decides a tool approval; the team's asks by interrupting the run until `resume` brings one. */
export type ToolApprover = (request: ToolApprovalRequest) => ApprovalDecision | Promise<ApprovalDecision>;

/** The decision checked against what is waiting: an edit must carry a plan, or arguments. */
export function decisionFor(request: ApprovalRequest | undefined, decision: unknown): ApprovalDecision {
  const parsed = ApprovalDecisionSchema.safeParse(decision);
  if (!parsed.success)
    throw fromZodError(parsed.error, { hint: "approve, reject, or edit with a plan or arguments" });
  const d = parsed.data;
  if (d.action !== "edit" || request === undefined) return d;
  if (request.kind === "plan_approval" && !("plan" in d)) {
    throw new UserInputError("the run waits for a plan approval: an edit must carry a plan", {
      field: "decision.plan",
      hint: 'edit with {"action":"edit","plan":{"steps":[...]}}',
    });
  }
  if (request.kind === "tool_approval" && !("args" in d)) {
    throw new UserInputError(
      `the run waits for approval of a ${request.tool} call: an edit must carry its arguments`,
      {
        field: "decision.args",
        hint: 'edit with {"action":"edit","args":{...}}',
      },
    );
  }
  return d;
}

/** The waiting call as run files and events keep it: who calls which tool, not its arguments. */
export function waitingOf(request: ToolApprovalRequest): ToolApprovalWaiting {
  return {
    step: request.step,
    agent: request.agent,
    tool: request.tool,
    idempotencyKey: request.idempotencyKey,
    verdicts: request.verdicts.map(verdictSummary),
  };
}

/** A resume value read back from the checkpoint; anything unreadable counts as a rejection. */
export function readDecision(raw: unknown): ApprovalDecision {
  const parsed = ApprovalDecisionSchema.safeParse(raw);
  return parsed.success ? parsed.data : { action: "reject", note: "unreadable decision" };
}
