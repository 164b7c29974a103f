import type { ToolEffect } from "../../core/index.js";
import type { RiskType } from "../types.js";
import type { Leaf, PlanContext } from "./context.js";
import type { ToolRisk } from "./manifest.js";
import { type ArgSource, isTraceable, type NormalisedStep } from "./model.js";

/* Small helpers the rule modules share. */

/**
 * The step and the earlier step whose output supplied what it acts on: a data flow is risky from
 * where the untrusted value entered the plan, so both are named.
 */
export function withProducer(observationId: string | undefined, index: number, ctx: PlanContext): number[] {
  if (observationId === undefined) return [index];
  const obs = ctx.plan.observations.find((o) => o.id === observationId);
  const producer = obs ? obs.beforeStep - 1 : -1;
  return producer >= 0 && producer < index ? [producer, index] : [index];
}

/**
 * The observation answered a read the plan made with the user's own words as key (a contact search
 * for the name the user gave) and carries no instruction: a value from it is looked up, not planted.
 */
export function isUserKeyedLookup(observationId: string | undefined, ctx: PlanContext): boolean {
  if (observationId === undefined || ctx.instructive.get(observationId) !== false) return false;
  const obs = ctx.plan.observations.find((o) => o.id === observationId);
  const producer = obs ? ctx.plan.steps[obs.beforeStep - 1] : undefined;
  if (!producer || !(ctx.risks[producer.index] as ToolRisk).effects.includes("reads")) return false;
  return Object.values(producer.argSources).some((s) => s.kind === "user" || s.kind === "trusted");
}

export function argsOfKind(
  step: NormalisedStep,
  leaves: Leaf[],
  ctx: PlanContext,
  kind: string,
): ReadonlyArray<KindArg> {
  const spec = ctx.compiled.argKinds.find((k) => k.name === kind);
  if (!spec || step.text !== undefined) return NO_ARGS;
  // Most steps have no argument of a given kind: the list is only made for one that has.
  let out: KindArg[] | undefined;
  for (const leaf of leaves) {
    if (!spec.keys.test(leaf.key) || spec.exclude?.test(leaf.key)) continue;
    if (!isTraceable(leaf.value)) continue;
    out ??= [];
    out.push({ path: leaf.path, value: leaf.value, source: step.argSources[leaf.path] });
  }
  return out ?? NO_ARGS;
}

type KindArg = { path: string; value: string; source: ArgSource | undefined };
const NO_ARGS: ReadonlyArray<KindArg> = Object.freeze([]);

export function byEffect(
  rule: { riskType: RiskType; riskTypeByEffect?: Partial<Record<ToolEffect, RiskType>> | undefined },
  effects: ToolEffect[],
): RiskType {
  for (const e of effects) {
    const t = rule.riskTypeByEffect?.[e];
    if (t) return t;
  }
  return rule.riskType;
}

export function clip(s: string, n = 120): string {
  const one = s.replace(/\s+/g, " ").trim();
  return one.length > n ? `${one.slice(0, n - 1)}…` : one;
}

export function unique(xs: number[]): number[] {
  return [...new Set(xs.filter((x) => x >= 0))].sort((a, b) => a - b);
}
