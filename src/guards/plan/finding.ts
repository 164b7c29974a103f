import type { RiskType } from "../types.js";

/** One rule firing on a plan. */
export interface Finding {
  ruleId: string;
  riskType: RiskType;
  decision: "block" | "needs_approval";
  stepIndices: number[];
  rationale: string;
}
