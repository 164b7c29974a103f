import { z } from "zod";
import type { EventLog, Item } from "../core/index.js";

/** Safiron's eight risk categories, plus `other` for what fits none. */
export const RISK_TYPES = [
  "sensitive data privacy violations",
  "property / financial loss",
  "misinformation / unsafe content",
  "compromised availability",
  "unintended / unauthorized actions",
  "external adversarial attack",
  "bias / discrimination",
  "lack of accountability / traceability",
  "other",
] as const;
export const RiskType = z.enum(RISK_TYPES);
export type RiskType = z.infer<typeof RiskType>;

export const Decision = z.enum(["allow", "block", "redact", "vague", "needs_approval"]);
export type Decision = z.infer<typeof Decision>;

export const VerdictSchema = z.object({
  guard: z.string(),
  hook: z.enum(["plan", "message", "tool_call"]),
  decision: Decision,
  flagged: z.boolean(),
  rationale: z.string(),
  riskType: RiskType.optional(),
  stepIndices: z.array(z.number().int().nonnegative()).optional(),
  /** For `redact` and `vague`: the content to deliver instead. */
  replacement: z.unknown().optional(),
  /** True when the verdict came from a guard failure (throw, timeout, unparseable): fail closed. */
  failClosed: z.boolean().optional(),
  modelCalls: z.number().int().nonnegative().optional(),
  tokens: z.number().int().nonnegative().optional(),
});
export type Verdict = z.infer<typeof VerdictSchema>;

export interface GuardContext {
  log: EventLog;
  runId: string;
  step: number;
}

/** Before a message (or answer) is delivered to its recipients. */
export interface MessageGuardInput extends GuardContext {
  /** The message as its author produced it (already an item, not yet delivered). */
  message: Item;
  from: string;
  to: string[];
}
export interface MessageGuard {
  readonly name: string;
  checkMessage(input: MessageGuardInput): Promise<Verdict> | Verdict;
}

/** One step of a plan as the guards see it (the plan guard's normalised form lives in guards/plan). */
export interface PlanStepView {
  id: string;
  assignee: string;
  tool: string | null;
  args: Record<string, unknown>;
  dependsOn: string[];
  /** Every tool call of the step, in order (`tool`/`args` repeat the first for convenience). */
  toolCalls?: Array<{ tool: string; args: Record<string, unknown> }>;
  description?: string;
}

export interface PlanGuardInput extends GuardContext {
  plan: Item;
  task: Item;
  steps: PlanStepView[];
}
export interface PlanGuard {
  readonly name: string;
  checkPlan(input: PlanGuardInput): Promise<Verdict> | Verdict;
}

export interface ToolCallGuardInput extends GuardContext {
  agent: string;
  tool: string;
  args: Record<string, unknown>;
  call: Item;
}
export interface ToolCallGuard {
  readonly name: string;
  checkToolCall(input: ToolCallGuardInput): Promise<Verdict> | Verdict;
}

export interface Guards {
  plan?: PlanGuard[];
  message?: MessageGuard[];
  toolCall?: ToolCallGuard[];
}
