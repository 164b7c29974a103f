import type { NormalisedPlan } from "../../src/guards/plan/model.js";
import { fromPlanFile, type PlanFile, PlanFileSchema } from "../../src/guards/plan/model.js";

/** A plan from the hand-written form, provenance traced as in production. */
export function plan(file: PlanFile): NormalisedPlan {
  return fromPlanFile(PlanFileSchema.parse(file));
}
