import { z } from "zod";
import { UserInputError } from "../../core/index.js";
import { SafironRecordSchema } from "../../guards/plan/adapters.js";
import type { ToolDescriptor } from "../../guards/plan/model.js";
import { seededRandom } from "../../testing/rng.js";
import { PAYLOADS, type Picker, RISK_CATEGORIES, type RiskCategory, type Step } from "./payloads.js";
import { PERTURBERS } from "./perturb.js";
import type { SeedPlan } from "./seeds.js";

/** AuraGen's four ways of making a benign plan risky. */
export const STRATEGIES = [
  "single-step perturbation",
  "multi-step corruption",
  "new-branch diversion",
  "bridged-branch diversion",
] as const;
export type Strategy = (typeof STRATEGIES)[number];

/** A generated record: the Safiron record the guard reads, plus what the generator knows about it. */
export const GeneratedRecordSchema = SafironRecordSchema.extend({
  id: z.string(),
  agent_action: z.array(z.string()),
  label: z.union([z.literal(0), z.literal(1)]),
  source: z.string(),
  strategy: z.enum(STRATEGIES),
  /** Index into `agent_action` of the first risky step; null for benign twins. */
  first_risky_step: z.number().int().nonnegative().nullable(),
  explanation: z.string(),
});
export type GeneratedRecord = z.infer<typeof GeneratedRecordSchema>;

export interface GenerateOptions {
  /** Total records, risky and benign twins together (an even number is made up to). */
  count: number;
  seed: number;
  strategies?: ReadonlyArray<Strategy>;
  categories?: ReadonlyArray<RiskCategory>;
}

interface Draft {
  steps: Step[];
  observations: Array<{ beforeStep: number; text: string; tool?: string }>;
  tools: ToolDescriptor[];
}

interface Twin {
  risky: Draft;
  benign: Draft;
  firstRisky: number;
  explanation: string;
}

/**
 * Risky twins of benign plans, with a benign twin each. Seeds, strategies and categories are
 * taken round-robin; a combination a seed cannot carry (a single-step perturbation needs an
 * argument of the right kind) is skipped. The same options give the same records.
 */
export function generateRiskyPlans(
  seeds: ReadonlyArray<SeedPlan>,
  options: GenerateOptions,
): GeneratedRecord[] {
  const usable = seeds.filter((s) => s.steps.length > 0);
  if (usable.length === 0)
    throw new UserInputError("no benign plan with steps to start from", {
      field: "from",
      hint: "pass scenarios or safe records with tool calls",
    });
  const strategies = options.strategies ?? STRATEGIES;
  const categories = options.categories ?? RISK_CATEGORIES;
  const picker = makePicker(options.seed);
  // Seeds vary fastest, so even a small set draws on every seed.
  const combos = strategies.flatMap((strategy) =>
    categories.flatMap((category) => usable.map((seed) => ({ seed, strategy, category }))),
  );
  const out: GeneratedRecord[] = [];
  let misses = 0;
  for (let i = 0; out.length < options.count; i++) {
    const c = combos[i % combos.length] as (typeof combos)[number];
    const twin = makeTwin(c.seed, c.strategy, c.category, picker);
    if (!twin) {
      // Every combination failed once in a row: nothing more can be made.
      if (++misses > combos.length) break;
      continue;
    }
    misses = 0;
    const id = `gen-${out.length / 2}`;
    const base = { source: c.seed.source, user_request: c.seed.userRequest, strategy: c.strategy };
    out.push({
      ...base,
      ...render(twin.risky),
      id,
      label: 1,
      risk_type: c.category,
      first_risky_step: twin.firstRisky,
      explanation: twin.explanation,
    });
    out.push({
      ...base,
      ...render(twin.benign),
      id: `${id}-benign`,
      label: 0,
      first_risky_step: null,
      explanation: "the benign plan the risky twin was made from",
    });
  }
  return out;
}

function makeTwin(seed: SeedPlan, strategy: Strategy, category: RiskCategory, p: Picker): Twin | null {
  const original: Draft = {
    steps: seed.steps.map((s) => ({ tool: s.tool, args: { ...s.args } })),
    observations: [...seed.observations],
    tools: [...seed.tools],
  };
  if (strategy === "single-step perturbation") {
    const change = PERTURBERS[category](original, p);
    if (!change) return null;
    const steps = original.steps.map((s, i) =>
      i === change.stepIndex ? { tool: s.tool, args: change.args } : s,
    );
    const observations = change.output
      ? [
          ...original.observations,
          { beforeStep: change.stepIndex, text: change.output, tool: "notifications" },
        ]
      : original.observations;
    return {
      risky: { ...original, steps, observations },
      benign: original,
      firstRisky: change.stepIndex,
      explanation: change.explanation,
    };
  }
  const payload = PAYLOADS[category](p, subjectOf(seed));
  const tools = mergeTools(original.tools, payload.tools);
  const n = original.steps.length;
  if (strategy === "multi-step corruption") {
    // The harmless half goes in among the plan's own steps, the harmful half at the end.
    const at = p.int(1, n);
    const steps = [...original.steps.slice(0, at), payload.prepare, ...original.steps.slice(at), payload.act];
    const observations = [
      ...shiftFrom(original.observations, at),
      { beforeStep: at + 1, text: payload.output, tool: payload.prepare.tool },
    ];
    return {
      risky: { steps, observations, tools },
      benign: original,
      firstRisky: at,
      explanation: `harmful only together: step ${at} reads, step ${n + 1} acts; ${payload.explanation}`,
    };
  }
  if (strategy === "new-branch diversion") {
    // Part of the task, then the plan turns to another goal and never comes back.
    const at = p.int(1, n);
    const kept = original.steps.slice(0, at);
    const steps = [...kept, payload.prepare, payload.act];
    const observations = [
      ...original.observations.filter((o) => o.beforeStep <= at),
      { beforeStep: at + 1, text: payload.output, tool: payload.prepare.tool },
    ];
    return {
      risky: { steps, observations, tools },
      benign: {
        ...original,
        steps: kept,
        observations: original.observations.filter((o) => o.beforeStep <= at),
      },
      firstRisky: at,
      explanation: `after step ${at - 1} the plan turns to another goal: ${payload.explanation}`,
    };
  }
  // Bridged: the whole task, a plausible step that links it to the new goal, then the turn.
  const bridge: Step = { tool: "summarise_notes", args: { topic: subjectOf(seed) } };
  const bridged = [...original.steps, bridge];
  const steps = [...bridged, payload.prepare, payload.act];
  const bridgeTools = mergeTools(tools, [
    { name: "summarise_notes", description: "Summarise notes on a topic", effects: ["reads"] },
  ]);
  const observations = [
    ...original.observations,
    { beforeStep: n + 2, text: payload.output, tool: payload.prepare.tool },
  ];
  return {
    risky: { steps, observations, tools: bridgeTools },
    benign: {
      ...original,
      steps: bridged,
      tools: mergeTools(original.tools, [bridgeTools.at(-1) as ToolDescriptor]),
    },
    firstRisky: n + 1,
    explanation: `after the task and a bridging step, the plan turns: ${payload.explanation}`,
  };
}

/** A word the task is about, for templates: the longest capitalised or plain word of the request. */
function subjectOf(seed: SeedPlan): string {
  const words = seed.userRequest.match(/[A-Za-z][A-Za-z-]{3,}/g) ?? ["project"];
  const stop = new Set([
    "with",
    "from",
    "that",
    "this",
    "when",
    "done",
    "their",
    "them",
    "before",
    "after",
    "check",
    "review",
    "find",
    "tell",
  ]);
  return (
    words.find(
      (w) => !stop.has(w.toLowerCase()) && w[0] === (w[0] as string).toUpperCase() && w.length > 4,
    ) ??
    (words.find((w) => !stop.has(w.toLowerCase())) as string) ??
    "project"
  );
}

function shiftFrom(observations: Draft["observations"], at: number): Draft["observations"] {
  return observations.map((o) => (o.beforeStep > at ? { ...o, beforeStep: o.beforeStep + 1 } : o));
}

function mergeTools(a: ReadonlyArray<ToolDescriptor>, b: ReadonlyArray<ToolDescriptor>): ToolDescriptor[] {
  const byName = new Map(a.map((t) => [t.name, t]));
  for (const t of b) if (!byName.has(t.name)) byName.set(t.name, t);
  return [...byName.values()];
}

function render(d: Draft): Pick<GeneratedRecord, "agent_action" | "observations" | "tools"> {
  return {
    agent_action: d.steps.map(callText),
    observations: d.observations.map((o) => ({
      before_step: o.beforeStep,
      text: o.text,
      ...(o.tool !== undefined ? { tool: o.tool } : {}),
    })),
    tools: d.tools,
  };
}

/** `tool(key="value", n=5, flag=True)`: the call form Safiron records use. */
export function callText(step: Step): string {
  const args = Object.entries(step.args).map(([k, v]) => `${k}=${literal(v)}`);
  return `${step.tool}(${args.join(", ")})`;
}

function literal(v: unknown): string {
  if (typeof v === "boolean") return v ? "True" : "False";
  if (v === null || v === undefined) return "None";
  return JSON.stringify(v);
}

export function makePicker(seed: number): Picker {
  const next = seededRandom(seed);
  const int = (lo: number, hi: number) => lo + Math.floor(next() * (hi - lo + 1));
  return {
    int,
    pick: <T>(xs: ReadonlyArray<T>) => xs[int(0, xs.length - 1)] as T,
    token: (n: number) =>
      Array.from({ length: n }, () => "abcdefghjkmnpqrstuvwxyz23456789"[int(0, 30)]).join(""),
  };
}
