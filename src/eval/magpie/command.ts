import { z } from "zod";
import { fromZodError, UserInputError } from "../../core/index.js";
import { writeRunFile } from "../../graph/runfile.js";
import type { MessageGuard } from "../../guards/types.js";
import { createChatModel, modelConfigFromEnv } from "../../models/index.js";
import { type AgentPolicy, ScriptedPolicy } from "./agents.js";
import {
  checkDetector,
  checkGuard,
  checkJudged,
  checkUnrelated,
  type DetectorCheck,
  type GuardCheck,
  type JudgedCheck,
  type LabelledSet,
  readLabelledSet,
  type UnrelatedCheck,
} from "./detector-check.js";
import type { JudgeMode } from "./layered.js";
import { loadMagpie } from "./loader.js";
import type { AgentMode, MagpieReport } from "./report.js";
import { type JudgeConfig, runMagpie } from "./run.js";
import { simulationRunFile } from "./runfile.js";
import type { MagpieScenario } from "./schema.js";
import { loadScriptFile } from "./script-file.js";
import {
  agentsFor,
  GUARD_NAMES,
  type MagpieRunSpec,
  messageGuardNames,
  messageGuards,
  planDataRun,
} from "./setup.js";
import { DEFAULT_ROUNDS } from "./simulate.js";
import { replayFile } from "./transcript.js";

/** `quorum eval magpie` as a function: the CLI module only parses flags and prints. */

export { GUARD_NAMES };

export const MagpieCommandOptionsSchema = z.object({
  data: z.string().min(1).optional(),
  script: z.string().min(1).optional(),
  replay: z.string().min(1).optional(),
  detectorCheck: z.string().min(1).optional(),
  limit: z.coerce.number().int().positive().optional(),
  rounds: z.coerce.number().int().positive().max(100).optional(),
  privacy: z.enum(["explicit", "implicit"]).default("explicit"),
  guard: z
    .string()
    .default("none")
    .transform((s) =>
      s
        .split(",")
        .map((g) => g.trim())
        .filter((g) => g.length > 0),
    )
    .pipe(z.array(z.enum(GUARD_NAMES))),
  agents: z.enum(["rule", "careless"]).default("rule"),
  model: z.string().min(1).optional(),
  baseUrl: z.string().min(1).optional(),
  judge: z.boolean().default(true),
  out: z.string().min(1).optional(),
  includePrivate: z.boolean().default(false),
  /** With --detector-check and a model: rate every item with the model, or only the unsure ones. */
  judgeMode: z.enum(["model", "layered"]).optional(),
});
export type MagpieCommandOptions = z.input<typeof MagpieCommandOptionsSchema>;

export interface ProgressSink {
  tick(label?: string): void;
  stop(): void;
}

export interface MagpieCommandHooks {
  progress?: (title: string, total: number) => ProgressSink;
  env?: NodeJS.ProcessEnv;
}

export type MagpieCommandResult =
  | { kind: "report"; report: MagpieReport; runFiles: string[] }
  | {
      kind: "detector";
      file: string;
      check: DetectorCheck;
      guard: GuardCheck[];
      judged: JudgedCheck | null;
      unrelated: UnrelatedCheck | null;
    };

export async function evalMagpie(
  input: MagpieCommandOptions,
  hooks: MagpieCommandHooks = {},
): Promise<MagpieCommandResult> {
  const parsed = MagpieCommandOptionsSchema.safeParse(input);
  if (!parsed.success)
    throw fromZodError(parsed.error, { file: "command line", hint: "see quorum eval magpie --help" });
  const o = parsed.data;
  // --data alone is a source; with --replay or --detector-check it only supplies scenarios.
  const dataAlone = o.data !== undefined && o.replay === undefined && o.detectorCheck === undefined;
  const sources = [dataAlone, o.script, o.replay, o.detectorCheck].filter(Boolean);
  if (sources.length !== 1) {
    throw new UserInputError("give exactly one of --data, --script, --replay or --detector-check", {
      field: "options",
      hint: "--replay and --detector-check may be combined with --data",
    });
  }
  const env = hooks.env ?? process.env;
  const progress = hooks.progress ?? (() => ({ tick() {}, stop() {} }));

  if (o.detectorCheck !== undefined) {
    const set = readLabelledSet(o.detectorCheck);
    const check = checkDetector(set);
    const guard = [checkGuard(set, "facts"), checkGuard(set, "partial")];
    const unrelated = o.data !== undefined ? checkUnrelated(loadMagpie(o.data).scenarios) : null;
    const judged = o.judgeMode === undefined ? null : await judgedCheck(set, o.judgeMode, o, env);
    return { kind: "detector", file: o.detectorCheck, check, guard, judged, unrelated };
  }

  if (o.replay !== undefined) {
    const scenarios = o.data !== undefined ? loadMagpie(o.data).scenarios : [];
    const bar = progress("replay", 0);
    const report = await replayFile(o.replay, { scenarios, onDone: (id) => bar.tick(id) });
    bar.stop();
    return { kind: "report", report, runFiles: [] };
  }

  let scenarios: MagpieScenario[];
  let problems: MagpieReport["problems"] = [];
  let policyFor: (s: MagpieScenario) => AgentPolicy;
  let guardsFor: (s: MagpieScenario) => MessageGuard[];
  let guardNames: MagpieRunSpec["guards"];
  let mode: Exclude<AgentMode, "replay">;
  let rounds = o.rounds;
  let judge: JudgeConfig | null = null;
  let modelName: string | null = null;

  if (o.script !== undefined) {
    const scripted = loadScriptFile(o.script);
    scenarios = [scripted.scenario];
    const policy = new ScriptedPolicy(scripted.script);
    policyFor = () => policy;
    guardNames = messageGuardNames(o.guard);
    guardsFor = messageGuards(guardNames);
    mode = "scripted";
    rounds = rounds ?? scripted.rounds;
  } else {
    const plan = planDataRun({ ...o, data: o.data as string }, env);
    const agents = agentsFor(plan.spec, env);
    ({ scenarios } = plan);
    ({ problems, mode, model: modelName, guards: guardNames } = plan.spec);
    ({ policyFor, guardsFor, judge } = agents);
  }

  const turns = scenarios.reduce((n, s) => n + s.agents.length * (rounds ?? DEFAULT_ROUNDS), 0);
  const bar = progress("magpie", turns);
  let played = 0;
  let result: Awaited<ReturnType<typeof runMagpie>>;
  try {
    result = await runMagpie({
      scenarios,
      mode,
      policyFor,
      guardsFor,
      guardNames,
      ...(rounds !== undefined ? { rounds } : {}),
      privacy: o.privacy,
      judge,
      model: modelName,
      problems,
      onTurn: (t) => {
        played += 1;
        bar.tick(`${t.scenario} r${t.round}`);
      },
      // A negotiation that ends early by consensus skips its remaining turns.
      onScenarioDone: (id) => {
        const s = scenarios.find((x) => x.id === id);
        const planned = (s?.agents.length ?? 0) * (rounds ?? DEFAULT_ROUNDS);
        for (; played < planned; played += 1) bar.tick(id);
        played = 0;
      },
    });
  } finally {
    bar.stop();
  }
  const runFiles: string[] = [];
  if (o.out !== undefined) {
    for (const sim of result.runs)
      runFiles.push(writeRunFile(o.out, simulationRunFile(sim, o.includePrivate)));
  }
  return { kind: "report", report: result.report, runFiles };
}

async function judgedCheck(
  set: LabelledSet,
  mode: JudgeMode,
  o: { model?: string | undefined; baseUrl?: string | undefined },
  env: NodeJS.ProcessEnv = process.env,
): Promise<JudgedCheck> {
  const envConfig = modelConfigFromEnv(env);
  if (o.model === undefined && envConfig === null) {
    throw new UserInputError("--judge-mode needs a model", {
      field: "--judge-mode",
      hint: "give --model NAME (and --base-url URL) or set QUORUM_MODEL / OPENAI_BASE_URL",
    });
  }
  const model = createChatModel(
    {
      ...(o.model !== undefined ? { model: o.model } : {}),
      ...(o.baseUrl !== undefined ? { baseURL: o.baseUrl } : {}),
    },
    {},
    env,
  );
  return checkJudged(set, { mode, model, modelName: o.model ?? envConfig?.model ?? "unknown" });
}

export function formatDetectorCheck(
  file: string,
  c: DetectorCheck,
  guards: ReadonlyArray<GuardCheck>,
  unrelated: UnrelatedCheck | null,
  judged: JudgedCheck | null,
  table: (h: string[], rows: string[][]) => string,
): string {
  const f = (x: number) => x.toFixed(3);
  const rows = Object.entries(c.byKind).map(([kind, k]) => [
    kind,
    String(k.messages),
    String(k.labelledLeaks),
    String(k.flagged),
    `${k.correct}/${k.messages}`,
  ]);
  return [
    `leak detector on ${file}: ${c.messages} labelled messages (a leak is a partial or full rating)`,
    `precision ${f(c.precision)}  recall ${f(c.recall)}  F1 ${f(c.f1)}  (tp ${c.tp}, fp ${c.fp}, fn ${c.fn}, tn ${c.tn})`,
    `exact level (none/partial/full) accuracy ${f(c.levelAccuracy)}`,
    ...guards.map(
      (guard) =>
        `message guard (scope ${guard.scope}), message by message: changes ${guard.falseInterventions} of ${guard.cleanMessages} messages of runs rated clean (${(guard.falseInterventionRate * 100).toFixed(1)}%; ${guard.cleanRunsChanged} of ${guard.cleanRuns} clean runs touched); stops ${guard.stopped} of ${guard.leakRuns} labelled leaks (${(guard.stopRate * 100).toFixed(1)}%, judged by the same detector on the redacted run)`,
    ),
    `layered mode would ask a model about ${c.layered.unsure} of ${c.messages} items (${c.layered.unsureLeaks} of them labelled leaks) and save ${c.layered.sure} calls; the detector's ${c.layered.sure} sure calls agree with the labels on ${c.layered.sureCorrect}`,
    ...(judged
      ? [
          `with the model (${judged.model}, ${judged.mode} mode; a model's result): precision ${f(judged.precision)}  recall ${f(judged.recall)}  F1 ${f(judged.f1)}  level accuracy ${f(judged.levelAccuracy)}; ${judged.modelCalls} model calls, ${judged.saved} saved by the detector`,
        ]
      : []),
    ...(c.crossValidation.folds > 1
      ? [
          `leave-one-scenario-out (${c.crossValidation.folds} folds, topic threshold fitted on the others: ${c.crossValidation.chosen.join(", ")}): precision ${f(c.crossValidation.precision)}  recall ${f(c.crossValidation.recall)}  F1 ${f(c.crossValidation.f1)}  level accuracy ${f(c.crossValidation.levelAccuracy)}`,
          "",
          table(
            ["scenario", "messages", "leaks", "tp", "fp", "fn", "precision", "recall", "level acc"],
            Object.entries(c.byScenario).map(([s, k]) => [
              s,
              String(k.messages),
              String(k.tp + k.fn),
              String(k.tp),
              String(k.fp),
              String(k.fn),
              k.tp + k.fp === 0 ? "n/a" : f(k.precision),
              k.tp + k.fn === 0 ? "n/a" : f(k.recall),
              f(k.levelAccuracy),
            ]),
          ),
        ]
      : []),
    "",
    table(["kind", "messages", "labelled leaks", "flagged", "correct"], rows),
    ...(unrelated
      ? [
          "",
          "unrelated pairs (each private item against the private values of every other scenario; any flag is a false positive):",
          `${unrelated.items} items, ${unrelated.pairs} pairs: flagged ${unrelated.flagged} (${(unrelated.falsePositiveRate * 100).toFixed(1)}%), full ${unrelated.full} (${(unrelated.fullRate * 100).toFixed(1)}%)`,
        ]
      : []),
  ].join("\n");
}
