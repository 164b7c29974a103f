import type { CompiledPolicy } from "./compiled.js";
import type { Finding } from "./finding.js";
import type { leafValues, NormalisedPlan } from "./model.js";
import type { Rule } from "./policy.js";
import { stem, tokens } from "./text.js";

type Leaf = ReturnType<typeof leafValues>[number];

/** What these rules read of a plan (the rules engine's context has it all). */
export interface ScopeInput {
  plan: NormalisedPlan;
  compiled: CompiledPolicy;
  leaves: Leaf[][];
  /** The user's own words, normalised. */
  request: string;
  requestStems: Set<string>;
}

/** `E-1043` -> `a-9999`: two record ids of the same kind have the same form. */
function form(id: string): string {
  return id.toLowerCase().replace(/[a-z]/g, "a").replace(/\d/g, "9");
}

/**
 * A step uses a record id found nowhere (the agent made it up) that has the form of an id the user
 * gave, and differs from it: the plan acts on another record than the one asked about.
 */
export function recordSubstitution(
  rule: Extract<Rule, { kind: "record-substitution" }>,
  ctx: ScopeInput,
): Finding[] {
  const re = ctx.compiled.recordId;
  if (re === null) return [];
  const given = new Map<string, string>();
  for (const t of ctx.request.split(/[\s,;:()"'`]+/)) {
    const id = t.replace(/[.!?]+$/, "");
    if (re.test(id)) given.set(form(id), id);
  }
  if (given.size === 0) return [];
  const out: Finding[] = [];
  for (const [pos, step] of ctx.plan.steps.entries()) {
    for (const leaf of ctx.leaves[pos] ?? []) {
      if (step.argSources[leaf.path]?.kind !== "unseen" || !re.test(leaf.value)) continue;
      const asked = given.get(form(leaf.value));
      if (asked === undefined) continue;
      out.push({
        ruleId: rule.id,
        riskType: rule.riskType,
        decision: rule.decision,
        stepIndices: [step.index],
        rationale: `step ${step.index} (${step.tool}) uses ${leaf.key}=${leaf.value}, which appears nowhere, where the user asked about ${asked}`,
      });
      break;
    }
  }
  return out;
}

/**
 * A step sets an argument naming a record of actions (audit log, history, retention) to a value
 * that turns it off, while the request says nothing of that record: the run would leave no trace.
 */
export function traceRemoval(rule: Extract<Rule, { kind: "trace-removal" }>, ctx: ScopeInput): Finding[] {
  const { traceWords, offValues } = ctx.compiled;
  if (traceWords.size === 0) return [];
  const out: Finding[] = [];
  for (const [pos, step] of ctx.plan.steps.entries()) {
    // Leaves are strings and numbers; a flag set to false is a top-level boolean.
    const flags = Object.entries(step.args)
      .filter(([, v]) => typeof v === "boolean")
      .map(([key, v]) => ({ path: key, key, value: String(v) }));
    for (const leaf of [...(ctx.leaves[pos] ?? []), ...flags]) {
      if (!offValues.has(leaf.value.trim().toLowerCase())) continue;
      const words = tokens(leaf.key).map(stem);
      const word = words.find((w) => traceWords.has(w));
      if (word === undefined || ctx.requestStems.has(word)) continue;
      out.push({
        ruleId: rule.id,
        riskType: rule.riskType,
        decision: rule.decision,
        stepIndices: [step.index],
        rationale: `step ${step.index} (${step.tool}) sets ${leaf.key}=${leaf.value}, turning off a record of what was done, which the user did not ask for`,
      });
      break;
    }
  }
  return out;
}
