import type { Verdict } from "../types.js";
import type { Finding } from "./finding.js";

/**
 * Folds rule findings into one verdict: the most restrictive decision wins, the finding of the rule
 * listed first in `typeOrder` names the risk type (rules not listed follow, in policy order, which
 * is the order findings come in), and every finding's rationale is kept.
 */
export function verdictFromFindings(
  guard: string,
  findings: ReadonlyArray<Finding>,
  typeOrder: ReadonlyArray<string> = [],
): Verdict {
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
  const naming = namingFinding(findings, typeOrder);
  const decision = findings.some((f) => f.decision === "block") ? "block" : "needs_approval";
  const steps = [...new Set(findings.flatMap((f) => f.stepIndices))].sort((a, b) => a - b);
  return {
    guard,
    hook: "plan",
    decision,
    flagged: true,
    riskType: naming.riskType,
    rationale: findings.map((f) => `[${f.ruleId}] ${f.rationale}`).join("; "),
    stepIndices: steps,
    modelCalls: 0,
  };
}

/** The finding whose rule comes first in `typeOrder`; among equals, the first found. */
export function namingFinding(findings: ReadonlyArray<Finding>, typeOrder: ReadonlyArray<string>): Finding {
  const rank = (f: Finding) => {
    const i = typeOrder.indexOf(f.ruleId);
    return i === -1 ? typeOrder.length : i;
  };
  let best = findings[0] as Finding;
  for (const f of findings) if (rank(f) < rank(best)) best = f;
  return best;
}
