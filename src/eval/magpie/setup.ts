import { z } from "zod";
import { UserInputError } from "../../core/index.js";
import { LeakMessageGuard } from "../../guards/privacy/message-guard.js";
import type { MessageGuard } from "../../guards/types.js";
import { createChatModel, modelConfigFromEnv } from "../../models/index.js";
import { type AgentPolicy, ModelPolicy, RulePolicy } from "./agents.js";
import { loadMagpie } from "./loader.js";
import type { JudgeConfig } from "./run.js";
import { type MagpieScenario, publicTextOf } from "./schema.js";

/**
 * How a MAGPIE run over a data file is set up, as plain data: the local command builds its agents
 * from it, and a queue batch stores it so every worker builds the same ones.
 */

export const GUARD_NAMES = ["none", "detector", "detector-block", "detector-rewrite", "tom"] as const;

const LoadProblemSchema = z.object({
  file: z.string(),
  line: z.number().optional(),
  field: z.string(),
  message: z.string(),
});

export const MagpieRunSpecSchema = z.object({
  mode: z.enum(["model", "rule", "rule-careless"]),
  /** Model mode: the model name and the endpoint the run was set up with (null: the worker's env). */
  model: z.string().nullable(),
  baseUrl: z.string().nullable(),
  judge: z.boolean(),
  rounds: z.number().int().positive().optional(),
  privacy: z.enum(["explicit", "implicit"]),
  /** Message guards, "none" left out. */
  guards: z.array(z.enum(GUARD_NAMES).exclude(["none", "tom"])),
  problems: z.array(LoadProblemSchema),
});
export type MagpieRunSpec = z.infer<typeof MagpieRunSpecSchema>;

export interface DataRunInput {
  data: string;
  limit?: number | undefined;
  rounds?: number | undefined;
  privacy: "explicit" | "implicit";
  guard: ReadonlyArray<(typeof GUARD_NAMES)[number]>;
  agents: "rule" | "careless";
  model?: string | undefined;
  baseUrl?: string | undefined;
  judge: boolean;
}

/** The message guards a spec names, refusing the ones MAGPIE rows cannot feed. */
export function messageGuardNames(
  guard: ReadonlyArray<(typeof GUARD_NAMES)[number]>,
): MagpieRunSpec["guards"] {
  if (guard.includes("tom")) {
    throw new UserInputError(
      "the ToM guard needs a table composition policy, which MAGPIE rows do not have",
      { field: "--guard", hint: "use --guard detector or detector-block for MAGPIE scenarios" },
    );
  }
  return guard.filter((g): g is MagpieRunSpec["guards"][number] => g !== "none" && g !== "tom");
}

/** Loads the scenarios of --data and decides the mode (a model when one is configured). */
export function planDataRun(
  o: DataRunInput,
  env: NodeJS.ProcessEnv,
): { spec: MagpieRunSpec; scenarios: MagpieScenario[] } {
  const guards = messageGuardNames(o.guard);
  const loaded = loadMagpie(o.data);
  if (loaded.scenarios.length === 0) {
    // Nothing to run is an input error, not an empty report.
    const first = loaded.problems[0];
    throw new UserInputError(
      `no scenario could be loaded${loaded.problems.length ? ` (${loaded.problems.length} problem${loaded.problems.length > 1 ? "s" : ""}; first${first?.line !== undefined ? ` at line ${first.line}` : ""}: ${first?.message})` : ""}`,
      {
        file: first?.file ?? o.data,
        ...(first?.field ? { field: first.field } : {}),
        hint: "see src/eval/magpie/README.md for the row format",
      },
    );
  }
  const scenarios = o.limit !== undefined ? loaded.scenarios.slice(0, o.limit) : loaded.scenarios;
  const envConfig = modelConfigFromEnv(env);
  const withModel = o.model !== undefined || envConfig !== null;
  const spec: MagpieRunSpec = {
    mode: withModel ? "model" : o.agents === "careless" ? "rule-careless" : "rule",
    model: withModel ? (o.model ?? envConfig?.model ?? "unknown") : null,
    baseUrl: withModel ? (o.baseUrl ?? envConfig?.baseURL ?? null) : null,
    judge: withModel && o.judge,
    ...(o.rounds !== undefined ? { rounds: o.rounds } : {}),
    privacy: o.privacy,
    guards,
    problems: loaded.problems,
  };
  return { spec, scenarios };
}

/** The message guards of one scenario, fresh for each. */
export function messageGuards(guards: MagpieRunSpec["guards"]): (s: MagpieScenario) => MessageGuard[] {
  return (s) =>
    guards.map(
      (g) =>
        new LeakMessageGuard({
          name: g === "detector" ? "leak-detector" : `leak-${g}`,
          mode: g === "detector-block" ? "block" : g === "detector-rewrite" ? "rewrite" : "redact",
          publicText: publicTextOf(s),
        }),
    );
}

export interface MagpieAgents {
  policyFor: (s: MagpieScenario) => AgentPolicy;
  guardsFor: (s: MagpieScenario) => MessageGuard[];
  judge: JudgeConfig | null;
}

/** The agents, guards and judge a spec describes; one model client shared by all scenarios. */
export function agentsFor(
  spec: MagpieRunSpec,
  env: NodeJS.ProcessEnv,
  override: { baseUrl?: string | undefined } = {},
): MagpieAgents {
  const guardsFor = messageGuards(spec.guards);
  if (spec.mode !== "model") {
    const careless = spec.mode === "rule-careless";
    return { policyFor: (s) => new RulePolicy(s, careless), guardsFor, judge: null };
  }
  const modelName = spec.model ?? "unknown";
  const baseURL = override.baseUrl ?? spec.baseUrl ?? undefined;
  const model = createChatModel({ model: modelName, ...(baseURL !== undefined ? { baseURL } : {}) }, {}, env);
  return {
    policyFor: () => new ModelPolicy(model, modelName),
    guardsFor,
    judge: spec.judge ? { model, modelName } : null,
  };
}
