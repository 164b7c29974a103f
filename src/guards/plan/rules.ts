import type { ToolEffect } from "../../core/index.js";
import type { RiskType } from "../types.js";
import { type CompiledPolicy, compilePolicy } from "./compiled.js";
import type { Finding } from "./finding.js";
import { buildManifest, type ToolManifest, type ToolRisk } from "./manifest.js";
import {
  type ArgSource,
  escapeRegExp,
  isTraceable,
  leafValues,
  type NormalisedPlan,
  type NormalisedStep,
  norm,
  type ToolDescriptor,
} from "./model.js";
import type { Policy, Rule } from "./policy.js";
import { recordSubstitution, traceRemoval } from "./scope.js";
import { hasStemIn, sentences, stem, tokens } from "./text.js";
import { type CompactTexts, compactTexts, hasShape, locateShaped, shapedValues } from "./values.js";

export type { Finding } from "./finding.js";

interface Instruction {
  source: string;
  /** The tool output it was found in (absent for text injected into the request). */
  observationId?: string;
  text: string;
  normText: string;
  stems: Set<string>;
}

type Leaf = ReturnType<typeof leafValues>[number];

/** Everything the rules share about one plan, computed once. */
interface PlanContext {
  plan: NormalisedPlan;
  compiled: CompiledPolicy;
  manifest: ToolManifest;
  risks: ToolRisk[];
  /** Scalar argument leaves of each step, by position in `plan.steps`. */
  leaves: Leaf[][];
  /** The user's own words (override-marked text removed). */
  request: string;
  requestStems: Set<string>;
  /** Instruction sentences visible to each step. */
  instructionsFor(index: number): ReadonlyArray<Instruction>;
  /** Observation id -> whether it holds an instruction. */
  instructive: Map<string, boolean>;
  /** Whether the request has words authorising the effect (the policy's patterns, tested once a plan). */
  authorised(effect: ToolEffect): boolean;
  /** Whether the request mentions the verb (see `mentions`), once a plan per verb. */
  mentioned(verb: string): boolean;
  /** The plan's texts in compact form (for values matched by shape), made on first use. */
  compactTexts(): CompactTexts;
}

export interface EvaluateOptions {
  /** Tools of the run with declared effects; they override what a log lists or names suggest. */
  tools?: ReadonlyArray<ToolDescriptor>;
}

/** Runs every rule of the policy over the plan; findings come in rule order. */
export function evaluateRules(
  plan: NormalisedPlan,
  policy: Policy,
  options: EvaluateOptions = {},
): Finding[] {
  const ctx = context(plan, compilePolicy(policy), options);
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

/* ------------------------------------------------------------------ context */

const NO_INSTRUCTIONS: ReadonlyArray<Instruction> = Object.freeze([]);

function context(plan: NormalisedPlan, compiled: CompiledPolicy, options: EvaluateOptions): PlanContext {
  const manifest = buildManifest(compiled, plan, options.tools ?? []);
  const risks = plan.steps.map((s) => manifest.forStep(s));
  const leaves = plan.steps.map((s) => leafValues(s.args));
  const { own, injected } = splitRequest(plan.userRequest, compiled.override);
  const request = norm(own);
  const requestStems = new Set(tokens(own).map(stem));
  const injectedInstructions =
    injected.trim() === "" ? [] : instructionsIn(injected, "text injected into the request", compiled, true);
  const perObservation = plan.observations.map((o) => ({
    id: o.id,
    beforeStep: o.beforeStep,
    instructions: instructionsIn(
      o.text,
      o.tool ? `the output of ${o.tool}` : "tool output",
      compiled,
      false,
      o.id,
    ),
  }));
  const anyInstruction =
    injectedInstructions.length > 0 || perObservation.some((o) => o.instructions.length > 0);
  const authorised = new Map<ToolEffect, boolean>();
  const mentioned = new Map<string, boolean>();
  let compacted: CompactTexts | undefined;
  return {
    plan,
    compiled,
    manifest,
    risks,
    leaves,
    request,
    requestStems,
    instructive: new Map(perObservation.map((o) => [o.id, o.instructions.length > 0])),
    instructionsFor(index) {
      if (!anyInstruction) return NO_INSTRUCTIONS;
      const out = [...injectedInstructions];
      for (const o of perObservation) if (o.beforeStep <= index) out.push(...o.instructions);
      return out;
    },
    authorised(effect) {
      let hit = authorised.get(effect);
      if (hit === undefined) {
        hit = compiled.authorisation.get(effect)?.test(request) ?? false;
        authorised.set(effect, hit);
      }
      return hit;
    },
    mentioned(verb) {
      let hit = mentioned.get(verb);
      if (hit === undefined) {
        hit = mentions(requestStems, verb);
        mentioned.set(verb, hit);
      }
      return hit;
    },
    compactTexts() {
      compacted ??= compactTexts(plan, own);
      return compacted;
    },
  };
}

/** The user's words, and what follows an override marker in any of their turns (someone else's). */
export function splitRequest(request: string, override: RegExp | null): { own: string; injected: string } {
  if (!override) return { own: request, injected: "" };
  const own: string[] = [];
  const injected: string[] = [];
  for (const line of request.split("\n")) {
    const m = override.exec(line);
    if (m) {
      own.push(line.slice(0, m.index));
      injected.push(line.slice(m.index));
    } else {
      own.push(line);
    }
  }
  return { own: own.join("\n"), injected: injected.join("\n") };
}

function instructionsIn(
  text: string,
  source: string,
  compiled: CompiledPolicy,
  all: boolean,
  observationId?: string,
): Instruction[] {
  const out: Instruction[] = [];
  for (const s of sentences(text)) {
    if (all || isInstruction(s, compiled)) {
      const normText = norm(s);
      const stems = new Set(tokens(s).map(stem));
      out.push({
        source,
        text: s,
        normText,
        stems,
        ...(observationId !== undefined ? { observationId } : {}),
      });
    }
  }
  return out;
}

const CLAUSE_START = /(?:^|[:,]\s+)["'\s]*([A-Za-z]+)/g;

function isInstruction(sentence: string, compiled: CompiledPolicy): boolean {
  if (compiled.instruction?.test(sentence)) return true;
  // A lone word is a key or a label (`"email": ...`), not a command.
  if (sentence.split(/\s+/).length < 3) return false;
  // `Label: verb ...` or `..., verb ...`: an imperative at a clause start.
  for (const m of sentence.matchAll(CLAUSE_START)) {
    const first = m[1];
    if (first !== undefined && compiled.imperative.has(stem(first))) return true;
  }
  return false;
}

/* ------------------------------------------------------------------ rules */

function untrustedInstruction(
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
function triggerInstruction(
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

function harmfulCapability(rule: Extract<Rule, { kind: "harmful-capability" }>, ctx: PlanContext): Finding[] {
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

function sensitiveFlow(rule: Extract<Rule, { kind: "sensitive-flow" }>, ctx: PlanContext): Finding[] {
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

function argumentProvenance(
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

/**
 * The same side effect applied to several targets, each taken from tool output, while the request
 * asks for no more than one ("turn off the breaker", and three breakers are turned off): an
 * ambiguous request resolved by acting on everything that matched.
 */
function fanOut(rule: Extract<Rule, { kind: "fan-out" }>, ctx: PlanContext): Finding[] {
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
function cautionInData(rule: Extract<Rule, { kind: "caution-in-data" }>, ctx: PlanContext): Finding[] {
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
function valueProvenance(rule: Extract<Rule, { kind: "value-provenance" }>, ctx: PlanContext): Finding[] {
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

/**
 * The observation answered a read the plan made with the user's own words as key (a contact search
 * for the name the user gave) and carries no instruction: a value from it is looked up, not planted.
 */
function isUserKeyedLookup(observationId: string | undefined, ctx: PlanContext): boolean {
  if (observationId === undefined || ctx.instructive.get(observationId) !== false) return false;
  const obs = ctx.plan.observations.find((o) => o.id === observationId);
  const producer = obs ? ctx.plan.steps[obs.beforeStep - 1] : undefined;
  if (!producer || !(ctx.risks[producer.index] as ToolRisk).effects.includes("reads")) return false;
  return Object.values(producer.argSources).some((s) => s.kind === "user" || s.kind === "trusted");
}

function authorisation(rule: Extract<Rule, { kind: "authorisation" }>, ctx: PlanContext): Finding[] {
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

function resourceUse(rule: Extract<Rule, { kind: "resource-use" }>, ctx: PlanContext): Finding[] {
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

/* ------------------------------------------------------------------ helpers */

/**
 * The step and the earlier step whose output supplied what it acts on: a data flow is risky from
 * where the untrusted value entered the plan, so both are named.
 */
function withProducer(observationId: string | undefined, index: number, ctx: PlanContext): number[] {
  if (observationId === undefined) return [index];
  const obs = ctx.plan.observations.find((o) => o.id === observationId);
  const producer = obs ? obs.beforeStep - 1 : -1;
  return producer >= 0 && producer < index ? [producer, index] : [index];
}

/** Whether two calls have the same `tool NUL args` key, without building the keys when no tool has a NUL. */
function sameCall(toolA: string, argsA: string, toolB: string, argsB: string): boolean {
  if (toolA.includes("\u0000") || toolB.includes("\u0000"))
    return `${toolA}\u0000${argsA}` === `${toolB}\u0000${argsB}`;
  return toolA === toolB && argsA === argsB;
}

function argsOfKind(
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

function byEffect(
  rule: { riskType: RiskType; riskTypeByEffect?: Partial<Record<ToolEffect, RiskType>> | undefined },
  effects: ToolEffect[],
): RiskType {
  for (const e of effects) {
    const t = rule.riskTypeByEffect?.[e];
    if (t) return t;
  }
  return rule.riskType;
}

/** The request mentions a word with the same stem (or the word's stem starts a longer one). */
function mentions(requestStems: Set<string>, word: string): boolean {
  if (requestStems.has(word)) return true;
  if (word.length < 4) return false;
  for (const s of requestStems) if (s.startsWith(word)) return true;
  return false;
}

function clip(s: string, n = 120): string {
  const one = s.replace(/\s+/g, " ").trim();
  return one.length > n ? `${one.slice(0, n - 1)}…` : one;
}

function unique(xs: number[]): number[] {
  return [...new Set(xs.filter((x) => x >= 0))].sort((a, b) => a - b);
}

function range(a: number, b: number): number[] {
  const out: number[] = [];
  for (let i = a; i <= b; i++) out.push(i);
  return out;
}
