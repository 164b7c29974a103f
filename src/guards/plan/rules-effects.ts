import type { Leaf, PlanContext } from "./context.js";
import type { Finding } from "./finding.js";
import type { ToolRisk } from "./manifest.js";
import { escapeRegExp, type NormalisedStep } from "./model.js";
import type { Rule } from "./policy.js";
import { byEffect, clip, unique, withProducer } from "./rule-helpers.js";

/* What a step does: advertised harm, unrequested effects, acting on many or on what must be kept, runaway use. */

export function harmfulCapability(
  rule: Extract<Rule, { kind: "harmful-capability" }>,
  ctx: PlanContext,
): Finding[] {
  const out: Finding[] = [];
  for (const step of ctx.plan.steps) {
    const risk = ctx.risks[step.index] as ToolRisk;
    if (risk.harmful === undefined) continue;
    out.push({
      ruleId: rule.id,
      riskType: risk.harmful,
      decision: rule.decision,
      stepIndices: [step.index],
      rationale: `step ${step.index} uses ${step.tool}, whose name or description advertises a harmful capability`,
    });
  }
  return out;
}

export function authorisation(rule: Extract<Rule, { kind: "authorisation" }>, ctx: PlanContext): Finding[] {
  const out: Finding[] = [];
  for (const step of ctx.plan.steps) {
    const risk = ctx.risks[step.index] as ToolRisk;
    const needed = risk.effects.filter((e) => rule.effects.includes(e));
    if (needed.length === 0) continue;
    const byWords = needed.some((e) => ctx.authorised(e));
    const byVerb = risk.verb !== undefined && ctx.mentioned(risk.verb);
    if (byWords || byVerb) continue;
    out.push({
      ruleId: rule.id,
      riskType: byEffect(rule, needed),
      decision: rule.decision,
      stepIndices: [step.index],
      rationale: `step ${step.index} (${step.tool}) ${needed.join(", ").replace(/_/g, " ")}${risk.inferred ? " (inferred from its name)" : ""}, which the user's request does not ask for`,
    });
  }
  return out;
}

/**
 * The same side effect applied to several targets, each taken from tool output, while the request
 * asks for no more than one ("turn off the breaker", and three breakers are turned off): an
 * ambiguous request resolved by acting on everything that matched.
 */
export function fanOut(rule: Extract<Rule, { kind: "fan-out" }>, ctx: PlanContext): Finding[] {
  if (ctx.compiled.plural?.test(ctx.request) ?? true) return [];
  const targets = new Map<string, { steps: number[]; values: Set<string> }>();
  forObservedLeaves(rule.effects, ctx, (step, _risk, leaf) => {
    const key = `${step.tool}\u0000${leaf.path}`;
    const t = targets.get(key) ?? { steps: [], values: new Set<string>() };
    t.steps.push(step.index);
    t.values.add(leaf.value);
    targets.set(key, t);
    return false;
  });
  const out: Finding[] = [];
  for (const [key, t] of targets) {
    if (t.values.size < 2) continue;
    const [tool, path] = key.split("\u0000");
    out.push({
      ruleId: rule.id,
      riskType: byEffect(rule, ctx.risks[t.steps[0] as number]?.effects ?? []),
      decision: rule.decision,
      stepIndices: unique(t.steps),
      rationale: `steps ${unique(t.steps).join(", ")} apply ${tool} to ${t.values.size} different ${path} values found in tool output, while the request asks for one`,
    });
  }
  return out;
}

/**
 * A step that deletes or changes an item the tool output it was found in says must be left alone
 * ("run for 1 mile (should not be deleted!)"): the item's value stands just before the caution.
 */
export function cautionInData(rule: Extract<Rule, { kind: "caution-in-data" }>, ctx: PlanContext): Finding[] {
  const re = ctx.compiled.caution;
  if (re === null || ctx.plan.observations.length === 0) return [];
  const out: Finding[] = [];
  forObservedLeaves(rule.effects, ctx, (step, risk, leaf, itemId) => {
    const obs = ctx.plan.observations.find((o) => o.id === itemId);
    const warning = obs ? cautionBefore(obs.text, leaf.value, re) : undefined;
    if (warning === undefined) return false;
    out.push({
      ruleId: rule.id,
      riskType: byEffect(rule, risk.effects),
      decision: rule.decision,
      stepIndices: withProducer(itemId, step.index, ctx),
      rationale: `step ${step.index} (${step.tool}) acts on ${leaf.key}=${clip(leaf.value, 40)}, which ${itemId} says to leave alone: "${clip(warning, 80)}"`,
    });
    return true;
  });
  return out;
}

/**
 * Calls `visit` on every argument leaf taken from tool output, in tool steps with one of the
 * effects; `visit` returns true when it is done with that step.
 */
function forObservedLeaves(
  effects: ReadonlyArray<string>,
  ctx: PlanContext,
  visit: (step: NormalisedStep, risk: ToolRisk, leaf: Leaf, itemId: string | undefined) => boolean,
): void {
  const steps = ctx.plan.steps;
  for (let pos = 0; pos < steps.length; pos++) {
    const step = steps[pos] as NormalisedStep;
    const risk = ctx.risks[step.index] as ToolRisk;
    if (step.text !== undefined || !risk.effects.some((e) => effects.includes(e))) continue;
    for (const leaf of ctx.leaves[pos] as Leaf[]) {
      const src = step.argSources[leaf.path];
      if (src?.kind === "observation" && visit(step, risk, leaf, src.itemId)) break;
    }
  }
}

/** The caution phrase whose preceding 80 characters hold the value as a whole word, if any. */
function cautionBefore(text: string, value: string, re: RegExp): string | undefined {
  const token = new RegExp(`(?<![\\w.-])${escapeRegExp(value)}(?![\\w-])`, "i");
  for (const m of text.matchAll(re)) {
    const start = m.index ?? 0;
    if (token.test(text.slice(Math.max(0, start - 80), start)))
      return text.slice(Math.max(0, start - 80), start + m[0].length);
  }
  return undefined;
}

export function resourceUse(rule: Extract<Rule, { kind: "resource-use" }>, ctx: PlanContext): Finding[] {
  const out: Finding[] = [];
  const patterns = ctx.compiled.resourcePatterns.get(rule.id) ?? [];
  const any = ctx.compiled.resourceAny.get(rule.id) ?? null;
  let runStart = 0;
  let previousTool: string | undefined;
  let previousArgs = "";
  const steps = ctx.plan.steps;
  for (let pos = 0; pos < steps.length; pos++) {
    const step = steps[pos] as NormalisedStep;
    const args = `${JSON.stringify(step.args)}`;
    if (previousTool === undefined || !sameCall(previousTool, previousArgs, step.tool, args)) {
      runStart = step.index;
      previousTool = step.tool;
      previousArgs = args;
    } else if (step.index - runStart + 1 === rule.maxRepeats + 1) {
      out.push({
        ruleId: rule.id,
        riskType: rule.riskType,
        decision: rule.decision,
        stepIndices: range(runStart, step.index),
        rationale: `steps ${runStart}-${step.index} repeat ${step.tool} with the same arguments more than ${rule.maxRepeats} times: a loop`,
      });
    }
    for (const leaf of ctx.leaves[pos] as Leaf[]) {
      if (any ? any.test(leaf.value) : patterns.some((p) => p.test(leaf.value))) {
        out.push({
          ruleId: rule.id,
          riskType: rule.riskType,
          decision: rule.decision,
          stepIndices: [step.index],
          rationale: `step ${step.index} (${step.tool}) runs an unbounded or recursive destructive operation: "${clip(leaf.value, 60)}"`,
        });
        break;
      }
      if (/^(?:count|limit|max_\w+|times|repeat|repeats|iterations|num_\w+|n)$/i.test(leaf.key)) {
        const n = Number(leaf.value);
        if (Number.isFinite(n) && n > rule.maxCount) {
          out.push({
            ruleId: rule.id,
            riskType: rule.riskType,
            decision: rule.decision,
            stepIndices: [step.index],
            rationale: `step ${step.index} (${step.tool}) asks for ${leaf.key}=${leaf.value}, above the limit of ${rule.maxCount}`,
          });
          break;
        }
      }
    }
  }
  return out;
}

/** Whether two calls have the same `tool NUL args` key, without building the keys when no tool has a NUL. */
function sameCall(toolA: string, argsA: string, toolB: string, argsB: string): boolean {
  if (toolA.includes("\u0000") || toolB.includes("\u0000"))
    return `${toolA}\u0000${argsA}` === `${toolB}\u0000${argsB}`;
  return toolA === toolB && argsA === argsB;
}

function range(a: number, b: number): number[] {
  const out: number[] = [];
  for (let i = a; i <= b; i++) out.push(i);
  return out;
}
