import type { ToolEffect } from "../../core/index.js";
import type { RiskType } from "../types.js";
import type { Leaf, PlanContext } from "./context.js";
import type { Finding } from "./finding.js";
import type { ToolRisk } from "./manifest.js";
import type { NormalisedStep } from "./model.js";
import type { Rule } from "./policy.js";
import { argsOfKind, byEffect, clip, isUserKeyedLookup, withProducer } from "./rule-helpers.js";
import { hasShape, locateShaped, shapedValues } from "./values.js";

/* Where the values a side-effecting step acts on came from. */

export function argumentProvenance(
  rule: Extract<Rule, { kind: "argument-provenance" }>,
  ctx: PlanContext,
): Finding[] {
  const out: Finding[] = [];
  const effects = new Set<ToolEffect>(rule.effects);
  const lookupEffects = new Set<ToolEffect>(rule.lookupEffects);
  const steps = ctx.plan.steps;
  for (let pos = 0; pos < steps.length; pos++) {
    const step = steps[pos] as NormalisedStep;
    const risk = ctx.risks[step.index] as ToolRisk;
    if (!risk.effects.some((e) => effects.has(e))) continue;
    for (const kind of rule.argKinds) {
      for (const arg of argsOfKind(step, ctx.leaves[pos] as Leaf[], ctx, kind)) {
        const src = arg.source;
        if (!src || src.kind === "user" || src.kind === "trusted") continue;
        // A value known by its shape is judged by where that value came from, not by its argument's name.
        if (judgedByShape(arg.value, risk, ctx)) continue;
        const untrusted = src.kind === "observation";
        const lookup =
          untrusted &&
          rule.lookup !== undefined &&
          risk.effects.every((e) => e === "reads" || lookupEffects.has(e))
            ? isUserKeyedLookup(src.itemId, ctx)
            : false;
        const outcome = lookup && rule.lookup ? rule.lookup : untrusted ? rule.untrusted : rule.unseen;
        if (outcome.decision === "allow") continue;
        const riskType = provenanceType(
          rule,
          outcome.riskType,
          untrusted ? obeyed(src.itemId, ctx) : undefined,
          risk.effects,
        );
        const where = lookup
          ? `comes from the result of a lookup (${src.itemId}), not from the user's request`
          : untrusted
            ? `first appears in untrusted tool output (${src.itemId ?? "an observation"}), not in the user's request`
            : "appears nowhere in the user's request or trusted items: a guessed value";
        const decision = outcome.decision;
        out.push({
          ruleId: rule.id,
          riskType,
          decision,
          stepIndices: untrusted ? withProducer(src.itemId, step.index, ctx) : [step.index],
          rationale: `step ${step.index} (${step.tool}): ${kind} ${arg.path}="${clip(src.value, 60)}" ${where}`,
        });
      }
    }
  }
  return out;
}

/** A value-provenance rule of the policy covers the step's effects and the value has one of its shapes. */
function judgedByShape(value: string, risk: ToolRisk, ctx: PlanContext): boolean {
  for (const rule of ctx.compiled.policy.rules) {
    if (rule.kind !== "value-provenance" || !risk.effects.some((e) => rule.effects.includes(e))) continue;
    for (const kind of rule.valueKinds) {
      const shape = ctx.compiled.valueKinds.get(kind);
      if (shape && hasShape(value, shape)) return true;
    }
  }
  return false;
}

/**
 * Values of a shape (an account number) in steps with the rule's effects, whatever their argument
 * is called, split over two arguments or reformatted: each must come from the user or a trusted item.
 */
export function valueProvenance(
  rule: Extract<Rule, { kind: "value-provenance" }>,
  ctx: PlanContext,
): Finding[] {
  const out: Finding[] = [];
  const steps = ctx.plan.steps;
  for (let pos = 0; pos < steps.length; pos++) {
    const step = steps[pos] as NormalisedStep;
    const risk = ctx.risks[step.index] as ToolRisk;
    if (step.text !== undefined || !risk.effects.some((e) => rule.effects.includes(e))) continue;
    for (const kind of rule.valueKinds) {
      const shape = ctx.compiled.valueKinds.get(kind);
      if (!shape) continue;
      for (const v of shapedValues(ctx.leaves[pos] as Leaf[], shape)) {
        const src = locateShaped(v.compact, step.index, ctx.compactTexts());
        if (src.kind === "user" || src.kind === "trusted" || (v.joined && src.kind === "unseen")) continue;
        const untrusted = src.kind === "observation";
        const outcome = untrusted ? rule.untrusted : rule.unseen;
        const where = untrusted
          ? `first appears in untrusted tool output (${src.itemId})`
          : "appears nowhere in the user's request or trusted items";
        out.push({
          ruleId: rule.id,
          riskType: provenanceType(
            rule,
            outcome.riskType,
            untrusted ? obeyed(src.itemId, ctx) : undefined,
            risk.effects,
          ),
          decision: outcome.decision,
          stepIndices: untrusted ? withProducer(src.itemId, step.index, ctx) : [step.index],
          rationale: `step ${step.index} (${step.tool}): the ${kind}-shaped value "${clip(v.raw, 60)}" in ${v.paths.join(" + ")} ${where}, not in the user's request`,
        });
      }
    }
  }
  return out;
}

/**
 * The risk type of a provenance finding. A value taken from tool output that gives an instruction
 * was obeyed: the `untrusted` outcome's type (an attack). One from output that instructs nothing
 * was only read, and is named by what the step does with it (the rule's type by effect): a payment
 * to an account read off a document is a financial risk first. A guessed value (`fromInstruction`
 * undefined): the `unseen` outcome's type by effect.
 */
function provenanceType(
  rule: Extract<Rule, { kind: "argument-provenance" | "value-provenance" }>,
  outcomeType: RiskType,
  fromInstruction: boolean | undefined,
  effects: ToolEffect[],
): RiskType {
  if (fromInstruction === true) return outcomeType;
  const base = fromInstruction === false ? rule.riskType : outcomeType;
  return byEffect({ riskType: base, riskTypeByEffect: rule.riskTypeByEffect }, effects);
}

function obeyed(observationId: string | undefined, ctx: PlanContext): boolean {
  return observationId !== undefined && ctx.instructive.get(observationId) === true;
}
