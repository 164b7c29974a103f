import type { ToolEffect } from "../../core/index.js";
import type { CompiledPolicy } from "./compiled.js";
import { buildManifest, type ToolManifest, type ToolRisk } from "./manifest.js";
import { leafValues, type NormalisedPlan, norm, type ToolDescriptor } from "./model.js";
import { sentences, stem, tokens } from "./text.js";
import { type CompactTexts, compactTexts } from "./values.js";

export interface Instruction {
  source: string;
  /** The tool output it was found in (absent for text injected into the request). */
  observationId?: string;
  text: string;
  normText: string;
  stems: Set<string>;
}

export type Leaf = ReturnType<typeof leafValues>[number];

/** Everything the rules share about one plan, computed once. */
export interface PlanContext {
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

const NO_INSTRUCTIONS: ReadonlyArray<Instruction> = Object.freeze([]);

/** What every rule reads of the plan, computed once a check. */
export function planContext(
  plan: NormalisedPlan,
  compiled: CompiledPolicy,
  options: EvaluateOptions,
): PlanContext {
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

/** The request mentions a word with the same stem (or the word's stem starts a longer one). */
function mentions(requestStems: Set<string>, word: string): boolean {
  if (requestStems.has(word)) return true;
  if (word.length < 4) return false;
  for (const s of requestStems) if (s.startsWith(word)) return true;
  return false;
}
