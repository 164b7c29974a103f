import { z } from "zod";
import { TOOL_EFFECTS } from "../../core/index.js";

/** Where an argument value was first seen, from most to least trusted. */
export const SourceKind = z.enum(["user", "trusted", "observation", "agent", "unseen"]);
export type SourceKind = z.infer<typeof SourceKind>;

export const ArgSourceSchema = z.object({
  kind: SourceKind,
  /** The item the value was first seen in (absent for `unseen`). */
  itemId: z.string().optional(),
  /** The value as it appears in the step, stringified. */
  value: z.string(),
});
export type ArgSource = z.infer<typeof ArgSourceSchema>;

export const NormalisedStepSchema = z.object({
  index: z.number().int().nonnegative(),
  id: z.string().optional(),
  tool: z.string().min(1),
  args: z.record(z.string(), z.unknown()),
  /** Indices of earlier steps this one consumes. */
  dependsOn: z.array(z.number().int().nonnegative()),
  /** Dotted argument path -> where its value came from. */
  argSources: z.record(z.string(), ArgSourceSchema),
  /** For actions that are free-form commands rather than tool calls: the raw text. */
  text: z.string().optional(),
});
export type NormalisedStep = z.infer<typeof NormalisedStepSchema>;

/** A tool output. Always untrusted: anyone who can write into a web page or an inbox writes here. */
export const ObservationSchema = z.object({
  id: z.string(),
  text: z.string(),
  tool: z.string().optional(),
  /** The first step that could have seen it (it came out of an earlier step). */
  beforeStep: z.number().int().nonnegative(),
  untrusted: z.literal(true),
  /** The tool marked its output private or sensitive. */
  sensitive: z.boolean().default(false),
});
export type Observation = z.infer<typeof ObservationSchema>;

export const TrustedItemSchema = z.object({
  id: z.string(),
  text: z.string(),
  /** Marked sensitive: must not flow to an outside sink. */
  sensitive: z.boolean().default(false),
});
export type TrustedItem = z.infer<typeof TrustedItemSchema>;

export const ToolDescriptorSchema = z.object({
  name: z.string().min(1),
  description: z.string().default(""),
  effects: z.array(z.enum(TOOL_EFFECTS)).optional(),
  sinks: z.array(z.string()).optional(),
});
export type ToolDescriptor = z.infer<typeof ToolDescriptorSchema>;

export const NormalisedPlanSchema = z.object({
  id: z.string().optional(),
  /** What the user asked, as trusted text. */
  userRequest: z.string(),
  steps: z.array(NormalisedStepSchema),
  observations: z.array(ObservationSchema).default([]),
  trusted: z.array(TrustedItemSchema).default([]),
  /** Tools the agent was given, when the source lists them. */
  tools: z.array(ToolDescriptorSchema).default([]),
  /** The agent's final reply, when there is one. */
  response: z.string().optional(),
});
export type NormalisedPlan = z.infer<typeof NormalisedPlanSchema>;
export type NormalisedPlanInput = z.input<typeof NormalisedPlanSchema>;

/** Every scalar leaf of an argument object, with its dotted path. */
export function leafValues(args: unknown, prefix = ""): Array<{ path: string; key: string; value: string }> {
  const out: Array<{ path: string; key: string; value: string }> = [];
  collectLeaves(args, prefix, prefix, out);
  return out;
}

// A module-level walker rather than a closure per call: leaves are read for every step of every plan.
function collectLeaves(
  v: unknown,
  path: string,
  key: string,
  out: Array<{ path: string; key: string; value: string }>,
): void {
  if (v === null || v === undefined) return;
  if (Array.isArray(v)) {
    // Holes read as undefined and yield nothing, as with forEach.
    for (let i = 0; i < v.length; i++) collectLeaves(v[i], path ? `${path}.${i}` : String(i), key, out);
    return;
  }
  if (typeof v === "object") {
    const record = v as Record<string, unknown>;
    // Own enumerable string keys in Object.keys order, without allocating the key list.
    for (const k in record) {
      if (Object.hasOwn(record, k)) collectLeaves(record[k], path ? `${path}.${k}` : k, k, out);
    }
    return;
  }
  if (typeof v === "string") out.push({ path, key, value: v });
  else if (typeof v === "number") out.push({ path, key, value: String(v) });
}

/** Lowercased, whitespace collapsed: the form values and texts are compared in. */
export function norm(s: string): string {
  const lower = s.toLowerCase();
  return (singleSpaced(lower) ? lower : lower.replace(/\s+/g, " ")).trim();
}

/** Printable ASCII with single spaces only: collapsing whitespace would change nothing. */
function singleSpaced(s: string): boolean {
  let previous = 0;
  for (let i = 0; i < s.length; i++) {
    const c = s.charCodeAt(i);
    if (c === 32 ? previous === 32 : c < 33 || c > 126) return false;
    previous = c;
  }
  return true;
}

/**
 * Whether a value occurs in a text. Numbers match as whole numbers (`50` is not in `150`, but is
 * in `$50.00`); paths and URLs also match without their leading slash or scheme, as people write them.
 */
export function containsValue(normText: string, value: string): boolean {
  return containsNormValue(normText, norm(value));
}

/** `containsValue` for a value already normalised (the hot path: one value, many texts). */
export function containsNormValue(normText: string, v: string): boolean {
  if (v === "") return false;
  if (/^-?\d+(\.\d+)?$/.test(v)) return numberPattern(v).test(normText);
  if (normText.includes(v)) return true;
  // Only a scheme, a leading slash (or `~/`) or a trailing slash can be stripped.
  if (!(v.includes("://") || v.startsWith("/") || v.startsWith("~/") || v.endsWith("/"))) return false;
  const stripped = v
    .replace(/^[a-z]+:\/\//, "")
    .replace(/^~?\/+/, "")
    .replace(/\/+$/, "");
  return stripped.length >= 3 && stripped !== v && normText.includes(stripped);
}

const numberPatterns = new Map<string, RegExp>();

/** `50` as a whole number, also written `50.00` or `1,000`; compiled once per value. */
function numberPattern(v: string): RegExp {
  let re = numberPatterns.get(v);
  if (!re) {
    const n = Number(v);
    const variants = [...new Set([v, String(n), Number.isInteger(n) ? n.toLocaleString("en-US") : v])];
    re = new RegExp(`(?<![\\d.,])(?:${variants.map(escapeRegExp).join("|")})(?:\\.0+)?(?![\\d]|[.,]\\d)`);
    if (numberPatterns.size > 10_000) numberPatterns.clear();
    numberPatterns.set(v, re);
  }
  return re;
}

export function escapeRegExp(s: string): string {
  return s.replace(/[.*+?^${}()|[\]\\]/g, "\\$&");
}

/** Values too small to say anything about where they came from (`1`, `a`, `true`). */
export function isTraceable(value: string): boolean {
  const v = value.trim();
  if (/^-?\d+(\.\d+)?$/.test(v)) return Math.abs(Number(v)) >= 2;
  return v.length >= 3;
}

const MAX_TRACED = 256;

/**
 * Fills `argSources`: for every argument value, the first item that contains it, looked up in
 * order of trust (user request, trusted items, then observations visible to the step). A value
 * found nowhere is `unseen`: the agent made it up. Sources an adapter already set are kept.
 */
export function traceArgs(plan: NormalisedPlan): NormalisedPlan {
  return traceArgsInPlace({
    ...plan,
    steps: plan.steps.map((step) => ({ ...step, argSources: { ...step.argSources } })),
  });
}

/**
 * `traceArgs` for a plan its caller has just built and no one else holds (the adapters): each
 * step's `argSources` object is filled in place instead of copying every step.
 */
export function traceArgsInPlace(plan: NormalisedPlan): NormalisedPlan {
  const texts: TracedTexts = {
    user: norm(plan.userRequest),
    trusted: plan.trusted.map((t) => ({ id: t.id, text: norm(t.text) })),
    observations: plan.observations.map((o) => ({ id: o.id, text: norm(o.text), beforeStep: o.beforeStep })),
  };
  for (const step of plan.steps) {
    const argSources = step.argSources;
    for (const leaf of leafValues(step.args)) {
      // Long values are content (bodies, code), not the identifiers the rules trace.
      if (argSources[leaf.path] !== undefined || leaf.value.length > MAX_TRACED || !isTraceable(leaf.value))
        continue;
      argSources[leaf.path] = locate(leaf.value, step.index, texts);
    }
  }
  return plan;
}

/** The texts a plan's values are looked up in, normalised once per plan. */
interface TracedTexts {
  user: string;
  trusted: Array<{ id: string; text: string }>;
  observations: Array<{ id: string; text: string; beforeStep: number }>;
}

function locate(value: string, index: number, texts: TracedTexts): ArgSource {
  // Normalised once, then matched against every text (`containsValue` per text would redo it).
  const v = norm(value);
  if (containsNormValue(texts.user, v)) return { kind: "user", itemId: "user_request", value };
  for (const t of texts.trusted)
    if (containsNormValue(t.text, v)) return { kind: "trusted", itemId: t.id, value };
  for (const o of texts.observations) {
    if (o.beforeStep <= index && containsNormValue(o.text, v))
      return { kind: "observation", itemId: o.id, value };
  }
  return { kind: "unseen", value };
}

/**
 * A plan as a person writes it in a file: steps in order, sources optional. Converted to the
 * normalised form with provenance traced.
 */
export const PlanFileSchema = z.strictObject({
  id: z.string().optional(),
  userRequest: z.string(),
  steps: z.array(
    z.strictObject({
      id: z.string().optional(),
      tool: z.string().min(1),
      args: z.record(z.string(), z.unknown()).default({}),
      /** Indices of earlier steps. */
      dependsOn: z.array(z.number().int().nonnegative()).default([]),
    }),
  ),
  observations: z
    .array(
      z.strictObject({
        id: z.string().optional(),
        text: z.string(),
        tool: z.string().optional(),
        /** Index of the first step that sees it (default 0: known before the plan). */
        beforeStep: z.number().int().nonnegative().default(0),
        sensitive: z.boolean().default(false),
      }),
    )
    .default([]),
  trusted: z
    .array(
      z.strictObject({ id: z.string().optional(), text: z.string(), sensitive: z.boolean().default(false) }),
    )
    .default([]),
  tools: z.array(ToolDescriptorSchema).default([]),
  response: z.string().optional(),
});
export type PlanFile = z.input<typeof PlanFileSchema>;

export function fromPlanFile(file: z.infer<typeof PlanFileSchema>): NormalisedPlan {
  return traceArgs({
    ...(file.id !== undefined ? { id: file.id } : {}),
    userRequest: file.userRequest,
    steps: file.steps.map((s, index) => ({
      index,
      ...(s.id !== undefined ? { id: s.id } : {}),
      tool: s.tool,
      args: s.args,
      dependsOn: s.dependsOn.filter((d) => d < index),
      argSources: {},
    })),
    observations: file.observations.map((o, i) => ({
      id: o.id ?? `obs_${i}`,
      text: o.text,
      ...(o.tool !== undefined ? { tool: o.tool } : {}),
      beforeStep: o.beforeStep,
      untrusted: true as const,
      sensitive: o.sensitive,
    })),
    trusted: file.trusted.map((t, i) => ({
      id: t.id ?? `trusted_${i}`,
      text: t.text,
      sensitive: t.sensitive,
    })),
    tools: file.tools,
    ...(file.response !== undefined ? { response: file.response } : {}),
  });
}
