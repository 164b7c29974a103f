import { z } from "zod";
import { UserInputError } from "../core/index.js";

export const PlannedToolCallSchema = z.object({
  tool: z.string().min(1),
  args: z.record(z.string(), z.unknown()).default({}),
});
export type PlannedToolCall = z.infer<typeof PlannedToolCallSchema>;

export const PlanStepSchema = z.object({
  id: z.string().min(1),
  assignee: z.string().min(1),
  description: z.string().default(""),
  toolCalls: z.array(PlannedToolCallSchema).default([]),
  dependsOn: z.array(z.string()).default([]),
});
export type PlanStep = z.infer<typeof PlanStepSchema>;

export const PlanSchema = z.object({
  steps: z.array(PlanStepSchema).min(1),
  rationale: z.string().optional(),
});
export type Plan = z.infer<typeof PlanSchema>;

export const VerificationSchema = z.object({
  pass: z.boolean(),
  reasons: z.array(z.string()).default([]),
});
export type Verification = z.infer<typeof VerificationSchema>;

/**
 * Structural checks a schema cannot express: unique ids, known dependencies and assignees, no
 * cycles. Model-made plans fail here as often as hand-written ones, so both go through it.
 */
export function checkPlan(plan: Plan, specialists: ReadonlyArray<string>, file?: string): void {
  const ids = new Set<string>();
  const at = (i: number, field: string) => ({ ...(file ? { file } : {}), field: `steps.${i}.${field}` });
  plan.steps.forEach((s, i) => {
    if (ids.has(s.id)) throw new UserInputError(`duplicate step id ${s.id}`, at(i, "id"));
    ids.add(s.id);
    if (!specialists.includes(s.assignee)) {
      throw new UserInputError(`unknown assignee ${s.assignee}`, {
        ...at(i, "assignee"),
        hint: `specialists are: ${specialists.join(", ")}`,
      });
    }
  });
  plan.steps.forEach((s, i) => {
    for (const d of s.dependsOn) {
      if (!ids.has(d))
        throw new UserInputError(`step ${s.id} depends on unknown step ${d}`, at(i, "dependsOn"));
    }
  });
  const byId = new Map(plan.steps.map((s) => [s.id, s]));
  const state = new Map<string, "visiting" | "done">();
  const visit = (id: string, path: string[]): void => {
    if (state.get(id) === "done") return;
    if (state.get(id) === "visiting") {
      throw new UserInputError(`dependency cycle: ${[...path, id].join(" -> ")}`, {
        ...(file ? { file } : {}),
        field: "steps",
      });
    }
    state.set(id, "visiting");
    for (const d of byId.get(id)?.dependsOn ?? []) visit(d, [...path, id]);
    state.set(id, "done");
  };
  for (const s of plan.steps) visit(s.id, []);
}
