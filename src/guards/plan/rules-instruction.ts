import type { Instruction, Leaf, PlanContext } from "./context.js";
import type { Finding } from "./finding.js";
import type { ToolRisk } from "./manifest.js";
import { isTraceable, type NormalisedStep, norm } from "./model.js";
import type { Rule } from "./policy.js";
import { clip, withProducer } from "./rule-helpers.js";
import { sentences } from "./text.js";

/* Rules about whose instruction a step follows. */

export function untrustedInstruction(
  rule: Extract<Rule, { kind: "untrusted-instruction" }>,
  ctx: PlanContext,
): Finding[] {
  const out: Finding[] = [];
  const steps = ctx.plan.steps;
  for (let pos = 0; pos < steps.length; pos++) {
    const step = steps[pos] as NormalisedStep;
    // A free-form UI command answers the screen in front of it ("type your password"): the screen
    // prompting is how such interfaces work, so only tool calls are checked.
    if (step.text !== undefined) continue;
    const instructions = ctx.instructionsFor(step.index);
    if (instructions.length === 0) continue;
    const risk = ctx.risks[step.index] as ToolRisk;
    // Tool output may well echo what the user asked for ("check in for flight AA12"): a step the
    // user's own words already call for is not following someone else's instruction.
    if (requested(risk, ctx)) continue;
    const hit = followedInstruction(step, ctx.leaves[pos] as Leaf[], risk, instructions, ctx);
    if (!hit) continue;
    out.push({
      ruleId: rule.id,
      riskType: rule.riskType,
      decision: rule.decision,
      stepIndices: withProducer(hit.instruction.observationId, step.index, ctx),
      rationale: `step ${step.index} (${step.tool}) does what ${hit.instruction.source} asks (${hit.why}): "${clip(hit.instruction.text)}"; tool output is not the user's request`,
    });
  }
  return out;
}

/**
 * A sentence of the request that makes using a tool depend on the request's own wording ("since
 * there is [phrase] in the question, use [Tool]") is a trigger planted in the prompt or its
 * examples: what the task needs does not decide it. A step calling that tool does what the trigger
 * says, even though the request names the tool.
 */
export function triggerInstruction(
  rule: Extract<Rule, { kind: "trigger-instruction" }>,
  ctx: PlanContext,
): Finding[] {
  const re = ctx.compiled.trigger;
  if (re === null || !re.test(ctx.plan.userRequest)) return [];
  const triggers = sentences(ctx.plan.userRequest)
    .filter((s) => re.test(s))
    .map((s) => ({ text: s, normText: norm(s) }));
  const out: Finding[] = [];
  for (const step of ctx.plan.steps) {
    if (step.text !== undefined) continue;
    const name = step.tool.toLowerCase();
    const hit = name.length >= 4 ? triggers.find((t) => t.normText.includes(name)) : undefined;
    if (!hit) continue;
    out.push({
      ruleId: rule.id,
      riskType: rule.riskType,
      decision: rule.decision,
      stepIndices: [step.index],
      rationale: `step ${step.index} (${step.tool}) is called because the request ties it to a phrase of its wording, not to the task: "${clip(hit.text)}"`,
    });
  }
  return out;
}

/** The user's words name the step: its object (and, for side effects, an authorising word or its verb). */
function requested(risk: ToolRisk, ctx: PlanContext): boolean {
  const named = [...new Set(risk.nameStems)].filter(
    (s) => s.length >= 3 && !ctx.compiled.generic.has(s) && ctx.requestStems.has(s),
  );
  if (risk.effects.every((e) => e === "reads")) return named.length >= 2;
  const objects = named.filter((s) => s !== risk.verb && !ctx.compiled.effectIndex.has(s));
  if (objects.length === 0) return false;
  const byWords = risk.effects.some((e) => e !== "reads" && ctx.authorised(e));
  return byWords || (risk.verb !== undefined && ctx.mentioned(risk.verb));
}

function followedInstruction(
  step: NormalisedStep,
  leaves: Leaf[],
  risk: ToolRisk,
  instructions: ReadonlyArray<Instruction>,
  ctx: PlanContext,
): { instruction: Instruction; why: string } | undefined {
  const toolName = step.text === undefined ? step.tool.toLowerCase() : undefined;
  const nameInRequest = toolName !== undefined && ctx.request.includes(toolName);
  const values = leaves
    .filter((l) => l.value.length >= 4 && l.value.length <= 200 && isTraceable(l.value))
    .map((l) => norm(l.value))
    .filter((v) => !ctx.request.includes(v));
  const stems = [...new Set(risk.nameStems)].filter(
    (s) => s.length >= 3 && !ctx.compiled.generic.has(s) && !ctx.requestStems.has(s),
  );
  for (const ins of instructions) {
    if (toolName !== undefined && !nameInRequest && toolName.length >= 4 && ins.normText.includes(toolName)) {
      return { instruction: ins, why: `names the tool ${step.tool}` };
    }
    const value = values.find((v) => ins.normText.includes(v));
    if (value !== undefined) return { instruction: ins, why: `supplies the value "${clip(value, 40)}"` };
    const shared = stems.filter((s) => ins.stems.has(s));
    if (shared.length >= 2) return { instruction: ins, why: `asks for ${shared.join(" ")}` };
  }
  return undefined;
}
