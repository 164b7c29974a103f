// The public SDK entry point (`quorum`). The test kit is `quorum/testing`.
export * from "./agents/index.js";
export * from "./core/index.js";
export * from "./graph/index.js";
/** Everything of the plan guardrail (adapters, rules, judge), namespaced: its PlanStep is not the planner's. */
export * as planGuard from "./guards/plan/index.js";
export {
  createPlanGuard,
  loadDefaultPolicy,
  loadPolicy,
  type NormalisedPlan,
  type PlanGuardMode,
  type PlanGuardOptions,
  parsePolicy,
} from "./guards/plan/index.js";
export * from "./guards/privacy/index.js";
export * from "./guards/run.js";
export * from "./guards/types.js";
export * from "./memory/index.js";
export * from "./models/index.js";
export * from "./trace/index.js";
