import type { Verdict } from "../types.js";
import type { Finding } from "./finding.js";

/**
 * Folds rule findings into one verdict: the most restrictive decision wins, the first finding (in
 * policy order) names the risk type, and every finding's rationale is kept.
 */
export function verdictFromFindings(guard: string, findings: ReadonlyArray<Finding>): Verdict {
  if (findings.length === 0) {
    return {
      guard,
      hook: "plan",
      decision: "allow",
      flagged: false,
      rationale: "no rule of the policy fired",
      modelCalls: 0,
    };
  }
  const first = findings[0] as Finding;
  const decision = findings.some((f) => f.decision === "block") ? "block" : "needs_approval";
  const steps = [...new Set(findings.flatMap((f) => f.stepIndices))].sort((a, b) => a - b);
  return {
    guard,
    hook: "plan",
    decision,
    flagged: true,
    riskType: first.riskType,
    rationale: findings.map((f) => `[${f.ruleId}] ${f.rationale}`).join("; "),
    stepIndices: steps,
    modelCalls: 0,
  };
}
