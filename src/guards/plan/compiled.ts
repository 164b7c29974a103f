import { TOOL_EFFECTS, type ToolEffect } from "../../core/index.js";
import type { RiskType } from "../types.js";
import type { Policy, Rule } from "./policy.js";
import { stem } from "./text.js";

/** A policy with its word lists turned into sets and regular expressions, once per policy object. */
export interface CompiledPolicy {
  policy: Policy;
  effectIndex: Map<string, ToolEffect[]>;
  /** Harmful word stem -> the risk it carries. */
  harmful: Map<string, RiskType>;
  publicSink: Set<string>;
  authorisation: Map<ToolEffect, RegExp>;
  argKinds: Array<{ name: string; keys: RegExp; exclude: RegExp | null }>;
  /** Value kind -> one global expression matching any of its shapes. */
  valueKinds: Map<string, RegExp>;
  override: RegExp | null;
  instruction: RegExp | null;
  trigger: RegExp | null;
  /** Global: every caution phrase in a text. */
  caution: RegExp | null;
  plural: RegExp | null;
  /** Anchored: a whole value that is a record id. */
  recordId: RegExp | null;
  traceWords: Set<string>;
  offValues: Set<string>;
  imperative: Set<string>;
  sensitive: Set<string>;
  sensitivePhrases: RegExp | null;
  confidential: RegExp | null;
  secretPaths: RegExp | null;
  generic: Set<string>;
  resourcePatterns: Map<string, RegExp[]>;
  /**
   * Per resource-use rule, one expression that matches where any of its patterns does (null when
   * the patterns cannot be joined safely): one scan per argument instead of one per pattern.
   */
  resourceAny: Map<string, RegExp | null>;
}

const cache = new WeakMap<Policy, CompiledPolicy>();

export function compilePolicy(policy: Policy): CompiledPolicy {
  const hit = cache.get(policy);
  if (hit) return hit;
  const v = policy.vocabulary;
  const effectIndex = new Map<string, ToolEffect[]>();
  for (const effect of TOOL_EFFECTS) {
    for (const word of v.effectWords[effect] ?? []) {
      const key = stem(word);
      const list = effectIndex.get(key) ?? [];
      if (!list.includes(effect)) list.push(effect);
      effectIndex.set(key, list);
    }
  }
  const authorisation = new Map<ToolEffect, RegExp>();
  for (const effect of TOOL_EFFECTS) {
    const re = anyOf(v.authorisation[effect] ?? [], "\\b");
    if (re) authorisation.set(effect, re);
  }
  const resourcePatterns = new Map<string, RegExp[]>();
  const resourceAny = new Map<string, RegExp | null>();
  for (const rule of policy.rules as Rule[]) {
    if (rule.kind === "resource-use") {
      resourcePatterns.set(
        rule.id,
        rule.patterns.map((p) => new RegExp(p, "i")),
      );
      resourceAny.set(rule.id, joinable(rule.patterns) ? anyOf(rule.patterns, "") : null);
    }
  }
  const single = v.sensitiveWords.filter((w) => !w.includes(" "));
  const phrases = v.sensitiveWords.filter((w) => w.includes(" "));
  const compiled: CompiledPolicy = {
    policy,
    effectIndex,
    harmful: harmfulIndex(v.harmfulWords),
    publicSink: new Set(v.publicSinkWords.map(stem)),
    authorisation,
    argKinds: Object.entries(v.argKinds).map(([name, k]) => ({
      name,
      keys: new RegExp(k.keys.map(group).join("|"), "i"),
      exclude: k.exclude.length > 0 ? new RegExp(k.exclude.map(group).join("|"), "i") : null,
    })),
    valueKinds: new Map(
      Object.entries(v.valueKinds).map(([name, shapes]) => [
        name,
        new RegExp(shapes.map(group).join("|"), "gi"),
      ]),
    ),
    override: anyOf(v.overrideMarkers, ""),
    instruction: anyOf(v.instructionMarkers, ""),
    trigger: anyOf(v.triggerMarkers, ""),
    plural: anyOf(v.pluralMarkers, "\\b"),
    recordId: v.recordIds.length > 0 ? new RegExp(`^(?:${v.recordIds.map(group).join("|")})$`, "i") : null,
    traceWords: new Set(v.traceWords.map(stem)),
    offValues: new Set(v.offValues.map((x) => x.toLowerCase())),
    caution: v.cautionMarkers.length > 0 ? new RegExp(v.cautionMarkers.map(group).join("|"), "gi") : null,
    imperative: new Set(v.imperativeVerbs.map(stem)),
    sensitive: new Set(single.map(stem)),
    sensitivePhrases: anyOf(phrases, "\\b"),
    confidential: anyOf(v.confidentialWords, "\\b"),
    secretPaths: anyOf(v.secretPaths, ""),
    generic: new Set(v.genericToolWords.map(stem)),
    resourcePatterns,
    resourceAny,
  };
  cache.set(policy, compiled);
  return compiled;
}

function harmfulIndex(words: Partial<Record<RiskType, string[]>>): Map<string, RiskType> {
  const index = new Map<string, RiskType>();
  for (const [type, list] of Object.entries(words) as Array<[RiskType, string[] | undefined]>) {
    for (const w of list ?? []) if (!index.has(stem(w))) index.set(stem(w), type);
  }
  return index;
}

/**
 * Whether patterns mean the same joined as `(?:a)|(?:b)` as they do alone: not if one refers to a
 * group by number or name (numbers shift when joined, names may clash; `\1` with no group is even
 * an octal escape alone but a backreference once joined).
 */
function joinable(patterns: ReadonlyArray<string>): boolean {
  return patterns.length > 0 && !patterns.some((p) => /\\[1-9k]|\(\?<(?![=!])/.test(p));
}

function group(p: string): string {
  return `(?:${p})`;
}

function anyOf(patterns: ReadonlyArray<string>, prefix: string): RegExp | null {
  if (patterns.length === 0) return null;
  return new RegExp(`${prefix}(?:${patterns.map(group).join("|")})`, "i");
}
