import type { ToolEffect } from "../../core/index.js";
import type { RiskType } from "../types.js";
import type { CompiledPolicy } from "./compiled.js";
import type { NormalisedPlan, NormalisedStep, ToolDescriptor } from "./model.js";
import { stem, tokens } from "./text.js";

/** What the guard believes a tool does, and whether the tool said so or we guessed. */
export interface ToolRisk {
  name: string;
  effects: ToolEffect[];
  sinks: string[];
  /** True when the effects come from the tool's name/description rather than its declaration. */
  inferred: boolean;
  /** The name word that gave the effect away (e.g. `withdraw`), used to match the user's words. */
  verb?: string;
  /** Name or description advertises a harmful capability: the risk it carries. */
  harmful?: RiskType;
  /** Stems of the tool's name, for matching it against instructions and the user's words. */
  nameStems: string[];
  /** Sends where anyone can read it (post, tweet, publish). */
  publicSink: boolean;
}

/**
 * Effects are looked up once per tool name; a manifest is built per plan (tools differ per plan).
 * What a tool's name, description and declaration say depends on nothing else, so those readings
 * are shared across plans: a guard checking many plans with the same tools reads each tool once.
 */
export class ToolManifest {
  private readonly byName = new Map<string, ToolRisk>();
  private readonly inferred: Map<string, ToolRisk>;
  private readonly declaredRisks: Map<string, ToolRisk>;
  private readonly wordIndex: Map<string, ToolEffect[]>;
  private readonly harmful: Map<string, RiskType>;
  private readonly publicSink: Set<string>;

  constructor(compiled: CompiledPolicy, declared: ReadonlyArray<ToolDescriptor> = []) {
    this.wordIndex = compiled.effectIndex;
    this.harmful = compiled.harmful;
    this.publicSink = compiled.publicSink;
    const caches = cachesFor(compiled);
    this.inferred = caches.inferred;
    this.declaredRisks = caches.declared;
    for (const tool of declared) {
      if (tool.effects) this.byName.set(tool.name, this.declaration(tool, tool.effects));
      else this.byName.set(tool.name, this.infer(tool.name, tool.description));
    }
  }

  forStep(step: NormalisedStep): ToolRisk {
    if (step.text !== undefined) return this.inferCommand(step.text);
    const known = this.byName.get(step.tool);
    if (known) return known;
    const risk = this.infer(step.tool, "");
    this.byName.set(step.tool, risk);
    return risk;
  }

  private declaration(tool: ToolDescriptor, effects: ReadonlyArray<ToolEffect>): ToolRisk {
    const sinks = tool.sinks ?? [];
    const key = JSON.stringify([tool.name, `${tool.description}`, effects, sinks]);
    const hit = this.declaredRisks.get(key);
    if (hit) return hit;
    const risk = this.fromDeclaration(tool, effects, sinks);
    if (this.declaredRisks.size > 10_000) this.declaredRisks.clear();
    this.declaredRisks.set(key, risk);
    return risk;
  }

  private fromDeclaration(
    tool: ToolDescriptor,
    effects: ReadonlyArray<ToolEffect>,
    sinks: ReadonlyArray<string>,
  ): ToolRisk {
    const words = tokens(`${tool.name} ${tool.description}`).map(stem);
    const nameStems = tokens(tool.name).map(stem);
    return {
      name: tool.name,
      nameStems,
      effects: [...effects],
      sinks: [...sinks],
      inferred: false,
      ...this.harmfulIn(nameStems, words),
      publicSink: words.some((w) => this.publicSink.has(w)),
    };
  }

  /**
   * Tool names read Service + Verb + Object: the first effect word decides. A read verb first makes
   * the tool a read (`GetOrderHistory` does not move money); otherwise every effect word up to the
   * next read verb counts (`PlaceOrder` writes and moves money). A name with no effect word falls
   * back to strong effects named in the description, then to a read.
   */
  private infer(name: string, description: string): ToolRisk {
    const key = `${name}\u0000${description}`;
    const hit = this.inferred.get(key);
    if (hit) return hit;
    const risk = this.inferUncached(name, description);
    if (this.inferred.size > 10_000) this.inferred.clear();
    this.inferred.set(key, risk);
    return risk;
  }

  private inferUncached(name: string, description: string): ToolRisk {
    const nameWords = tokens(name).map(stem);
    const fromName = this.effectsOf(nameWords);
    let effects = fromName.effects;
    let verb = fromName.verb;
    const descWords = tokens(description).map(stem);
    if (effects.length === 0) {
      const strong = this.effectsOf(descWords).effects.filter(
        (e) => e === "moves_money" || e === "deletes" || e === "changes_permissions" || e === "sends_outside",
      );
      effects = strong.length > 0 ? strong : ["reads"];
      verb = undefined;
    }
    return {
      name,
      nameStems: nameWords,
      effects,
      sinks: effects.includes("sends_outside") ? ["outside"] : [],
      inferred: true,
      ...(verb !== undefined ? { verb } : {}),
      ...this.harmfulIn(nameWords, descWords),
      publicSink: nameWords.some((w) => this.publicSink.has(w)),
    };
  }

  /** A free-form command: its first word is the verb (`delete <App>`, `turn on the heater`). */
  private inferCommand(text: string): ToolRisk {
    const stems = tokens(text).map(stem);
    const { effects, verb } = this.effectsOf(stems.slice(0, 1));
    return {
      name: "command",
      nameStems: stems,
      effects: effects.length > 0 ? effects : ["reads"],
      sinks: effects.includes("sends_outside") ? ["outside"] : [],
      inferred: true,
      ...(verb !== undefined ? { verb } : {}),
      publicSink: false,
    };
  }

  /**
   * The harm a tool advertises: its name's, else its description's. A compound name's head is its
   * last word (`CovertDataManipulation` is a manipulation, `covert` says how), so the last harmful
   * word of the name counts; in a description the first.
   */
  private harmfulIn(
    nameWords: ReadonlyArray<string>,
    descWords: ReadonlyArray<string>,
  ): { harmful?: RiskType } {
    for (let i = nameWords.length - 1; i >= 0; i--) {
      const type = this.harmful.get(nameWords[i] as string);
      if (type !== undefined) return { harmful: type };
    }
    for (const w of descWords) {
      if (nameWords.includes(w)) continue;
      const type = this.harmful.get(w);
      if (type !== undefined) return { harmful: type };
    }
    return {};
  }

  private effectsOf(words: string[]): { effects: ToolEffect[]; verb?: string } {
    const found = new Set<ToolEffect>();
    let verb: string | undefined;
    for (const w of words) {
      const effects = this.wordIndex.get(w);
      if (!effects) continue;
      if (effects.includes("reads")) {
        if (found.size === 0) return { effects: ["reads"], verb: w };
        break;
      }
      verb ??= w;
      for (const e of effects) found.add(e);
    }
    return verb === undefined ? { effects: [] } : { effects: [...found], verb };
  }
}

// Inference depends only on the policy and the tool's name and description, a declared tool's risk
// only on the policy and its declaration: both are shared across plans. Rules only read a ToolRisk.
interface RiskCaches {
  inferred: Map<string, ToolRisk>;
  declared: Map<string, ToolRisk>;
}

const caches = new WeakMap<CompiledPolicy, RiskCaches>();

function cachesFor(compiled: CompiledPolicy): RiskCaches {
  let cache = caches.get(compiled);
  if (!cache) {
    cache = { inferred: new Map(), declared: new Map() };
    caches.set(compiled, cache);
  }
  return cache;
}

export function buildManifest(
  compiled: CompiledPolicy,
  plan: NormalisedPlan,
  declared: ReadonlyArray<ToolDescriptor> = [],
): ToolManifest {
  // Declared tools (from the run) take precedence over tools a log merely lists.
  const byName = new Map<string, ToolDescriptor>();
  for (const t of plan.tools) byName.set(t.name, t);
  for (const t of declared) byName.set(t.name, t);
  return new ToolManifest(compiled, [...byName.values()]);
}
