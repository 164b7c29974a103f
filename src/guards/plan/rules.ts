import { compilePolicy } from "./compiled.js";
import { type EvaluateOptions, type PlanContext, planContext } from "./context.js";
import type { Finding } from "./finding.js";
import type { NormalisedPlan } from "./model.js";
import type { Policy, Rule } from "./policy.js";
import { authorisation, cautionInData, fanOut, harmfulCapability, resourceUse } from "./rules-effects.js";
import { sensitiveFlow } from "./rules-flow.js";
import { triggerInstruction, untrustedInstruction } from "./rules-instruction.js";
import { argumentProvenance, valueProvenance } from "./rules-provenance.js";
import { recordSubstitution, traceRemoval } from "./scope.js";

export { type EvaluateOptions, splitRequest } from "./context.js";
export type { Finding } from "./finding.js";

/** Runs every rule of the policy over the plan; findings come in rule order. */
export function evaluateRules(
  plan: NormalisedPlan,
  policy: Policy,
  options: EvaluateOptions = {},
): Finding[] {
  const ctx = planContext(plan, compilePolicy(policy), options);
  const findings: Finding[] = [];
  for (const rule of policy.rules) findings.push(...runRule(rule, ctx));
  return findings;
}

function runRule(rule: Rule, ctx: PlanContext): Finding[] {
  switch (rule.kind) {
    case "untrusted-instruction":
      return untrustedInstruction(rule, ctx);
    case "trigger-instruction":
      return triggerInstruction(rule, ctx);
    case "harmful-capability":
      return harmfulCapability(rule, ctx);
    case "sensitive-flow":
      return sensitiveFlow(rule, ctx);
    case "argument-provenance":
      return argumentProvenance(rule, ctx);
    case "authorisation":
      return authorisation(rule, ctx);
    case "value-provenance":
      return valueProvenance(rule, ctx);
    case "caution-in-data":
      return cautionInData(rule, ctx);
    case "fan-out":
      return fanOut(rule, ctx);
    case "record-substitution":
      return recordSubstitution(rule, ctx);
    case "trace-removal":
      return traceRemoval(rule, ctx);
    case "resource-use":
      return resourceUse(rule, ctx);
  }
}
