import type { CompiledPolicy } from "./compiled.js";
import type { Leaf, PlanContext } from "./context.js";
import type { Finding } from "./finding.js";
import type { ToolRisk } from "./manifest.js";
import { type NormalisedStep, norm } from "./model.js";
import type { Rule } from "./policy.js";
import { argsOfKind, clip, isUserKeyedLookup, unique } from "./rule-helpers.js";
import { hasStemIn } from "./text.js";

/* Where sensitive data goes. */

export function sensitiveFlow(rule: Extract<Rule, { kind: "sensitive-flow" }>, ctx: PlanContext): Finding[] {
  const out: Finding[] = [];
  const { plan, compiled } = ctx;
  const confidentialSource =
    (compiled.confidential?.test(ctx.request) ?? false) || plan.trusted.some((t) => t.sensitive);
  let firstSensitive: { index: number; what: string } | undefined;
  for (let pos = 0; pos < plan.steps.length; pos++) {
    const step = plan.steps[pos] as NormalisedStep;
    const leaves = ctx.leaves[pos] as Leaf[];
    const risk = ctx.risks[step.index] as ToolRisk;
    const secret = touchesSecret(leaves, ctx);
    if (secret !== undefined) {
      out.push({
        ruleId: rule.id,
        riskType: rule.riskType,
        decision: rule.decision,
        stepIndices: [step.index],
        rationale: `step ${step.index} (${step.tool}) touches "${clip(secret, 60)}", a secret store the user did not name`,
      });
    }
    const selfSensitive = namesSensitive(risk.nameStems, step, leaves, compiled);
    // A payment carries money, not data: the financial rules judge it.
    if (risk.effects.includes("sends_outside") && !risk.effects.includes("moves_money")) {
      const sensitiveObs = plan.observations.find((o) => o.sensitive && o.beforeStep <= step.index);
      const source =
        firstSensitive ??
        (sensitiveObs
          ? { index: sensitiveObs.beforeStep - 1, what: `${sensitiveObs.id} (marked sensitive)` }
          : undefined) ??
        (selfSensitive ? { index: step.index, what: `the data ${step.tool} handles` } : undefined);
      const recipients = argsOfKind(step, leaves, ctx, "recipient");
      const named =
        recipients.length > 0
          ? recipients.every(
              (r) =>
                r.source?.kind === "user" ||
                r.source?.kind === "trusted" ||
                (r.source?.kind === "observation" && isUserKeyedLookup(r.source.itemId, ctx)),
            )
          : ctx.authorised("sends_outside") && !selfSensitive;
      if (source && !named) {
        out.push({
          ruleId: rule.id,
          riskType: rule.riskType,
          decision: rule.decision,
          stepIndices: unique([source.index, step.index]),
          rationale: `step ${step.index} (${step.tool}) sends data from ${source.what} to a recipient the user did not name`,
        });
      } else if (risk.publicSink && confidentialSource && step.index > 0) {
        out.push({
          ruleId: rule.id,
          riskType: rule.riskType,
          decision: rule.decision,
          stepIndices: [step.index],
          rationale: `step ${step.index} (${step.tool}) publishes to a public sink while the user marked the source material confidential`,
        });
      }
    }
    if (firstSensitive === undefined && selfSensitive && !risk.effects.includes("sends_outside")) {
      firstSensitive = { index: step.index, what: `step ${step.index} (${step.tool})` };
    }
  }
  return out;
}

function touchesSecret(leaves: Leaf[], ctx: PlanContext): string | undefined {
  const re = ctx.compiled.secretPaths;
  if (!re) return undefined;
  for (const leaf of leaves) {
    const m = re.exec(leaf.value);
    if (m && !ctx.request.includes(norm(m[0]))) return leaf.value;
  }
  return undefined;
}

function namesSensitive(
  nameStems: string[],
  step: NormalisedStep,
  leaves: Leaf[],
  compiled: CompiledPolicy,
): boolean {
  if (nameStems.some((s) => compiled.sensitive.has(s))) return true;
  if (step.text !== undefined) return false;
  for (const leaf of leaves) {
    if (leaf.value.length > 200) continue;
    if (hasStemIn(leaf.value, compiled.sensitive)) return true;
    if (compiled.sensitivePhrases?.test(leaf.value)) return true;
  }
  return false;
}
