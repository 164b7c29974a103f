import type { z } from "zod";
import type { Sensitivity } from "./item.js";

/** What a tool does to the world; the plan guard reasons over these. */
export const TOOL_EFFECTS = [
  "reads",
  "writes",
  "deletes",
  "sends_outside",
  "moves_money",
  "runs_code",
  "changes_permissions",
] as const;
export type ToolEffect = (typeof TOOL_EFFECTS)[number];

export interface ToolRunContext {
  agent: string;
  runId: string;
  step: number;
  /** Stable across retries and resumes of the same call: side-effecting tools dedupe on it. */
  idempotencyKey: string;
}

/** Method-typed (bivariant in `args`, like `run`), so a typed tool still fits `ToolSpec` lists. */
type ApprovalCheck<Args> = {
  check(args: Args, context: ToolRunContext): boolean | Promise<boolean>;
}["check"];

export interface ToolSpec<Args = Record<string, unknown>> {
  name: string;
  description: string;
  schema: z.ZodType<Args>;
  /** Declared effects; empty means read-only. */
  effects?: ToolEffect[];
  /** Named outside destinations (e.g. `email`, `bank`), for the plan guard's flow rules. */
  sinks?: string[];
  /** Sensitivity of what the tool returns (default internal). */
  resultSensitivity?: Sensitivity;
  /** Labels attached to every result item (e.g. `untrusted` for web content). */
  resultLabels?: string[];
  /**
   * Whether running the call twice with the same idempotency key has the effect of running it
   * once (the tool dedupes on `context.idempotencyKey`). A side-effecting call cut off by a crash
   * (started, no result recorded) is retried with the same key when true; when false (the
   * default) it is not run again and the step fails, naming the call, for a human to check.
   */
  idempotent?: boolean;
  /**
   * Ask before the call runs: always (`true`), or when the function says so for these arguments.
   * In a team the run pauses (checkpointed) until `resume` brings approve, reject or edit; with no
   * one to ask (a bare runtime), the call is withheld.
   */
  needsApproval?: boolean | ApprovalCheck<Args>;
  run(args: Args, context: ToolRunContext): Promise<unknown> | unknown;
}

export function hasSideEffects(tool: Pick<ToolSpec, "effects">): boolean {
  return (tool.effects ?? []).some((e) => e !== "reads");
}

export function defineTool<Args>(spec: ToolSpec<Args>): ToolSpec<Args> {
  return spec;
}
