import { mkdirSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import type { Command } from "commander";
import { z } from "zod";
import { UserInputError } from "../../core/index.js";
import {
  ADVERSARIES,
  Adversary,
  DEFENSES,
  Defense,
  type Evaluation,
  evaluate,
  explainRun,
  loadScenarios,
  type RunOutcome,
  toRunFile,
} from "../../eval/compositional/index.js";
import { writeRunFile } from "../../graph/runfile.js";
import { Threshold } from "../../guards/privacy/index.js";
import { createChatModel } from "../../models/factory.js";
import { parseFlags } from "../flags.js";
import { dataOrSample } from "../no-data.js";
import { printJson, println, table } from "../output.js";
import { createProgress } from "../progress.js";
import type { CommandGroups } from "./index.js";

/** The shipped sample (examples/data/compositional); the full public dataset is the compositional-privacy scenarios (repo Vaidehi99/MultiAgentPrivacy, data/). */
export const DEFAULT_DATA = "examples/data/compositional";
const SOURCE = "the compositional-privacy scenarios (repo Vaidehi99/MultiAgentPrivacy, data/)";

const splitList = (s: string) =>
  s
    .split(",")
    .map((x) => x.trim())
    .filter((x) => x !== "");

const FlagsSchema = z.object({
  data: z.string().min(1).optional(),
  defense: z.string().transform(splitList).pipe(z.array(Defense).min(1)),
  adversary: z.string().transform(splitList).pipe(z.array(Adversary).min(1)),
  model: z.string().min(1).optional(),
  threshold: Threshold,
  vague: z.enum(["off", "all-but-one"]),
  json: z.boolean().optional(),
  out: z.string().min(1).optional(),
  strict: z.boolean().optional(),
  saveRuns: z.boolean().optional(),
  explain: z.boolean().optional(),
  includePrivate: z.boolean().optional(),
});

export function register(_program: Command, groups: CommandGroups): void {
  groups.eval
    .command("compositional")
    .description("compositional privacy: defenders' guards against an asker composing harmless answers")
    .option(
      "--data <dir|file>",
      `scenario folder or file (published JSON or our YAML); default ${DEFAULT_DATA}`,
    )
    .option("--defense <list>", `comma-separated: ${DEFENSES.join(",")}`, DEFENSES.join(","))
    .option("--adversary <list>", `comma-separated: ${ADVERSARIES.join(",")}`, "direct")
    .option(
      "--model <name>",
      "model mode: agents and guards (ToM call, CoDef voters) use this model, via OPENAI_BASE_URL",
    )
    .option("--threshold <t>", "block at: all | all-but-one of the sensitive combination", "all")
    .option("--vague <zone>", "CoDef owners vote C (vague) at: off | all-but-one", "off")
    .option("--json", "print results as JSON")
    .option("--out <dir>", "also write results.json and pairs.json to this folder")
    .option("--explain", "after the table, say for every run what was withheld and why")
    .option(
      "--save-runs",
      "with --out: also write every run as <dir>/runs/<runId>.json (private content redacted)",
    )
    .option("--include-private", "with --save-runs: keep private and sensitive content in the run files")
    .option(
      "--strict",
      "stop at the first scenario file that cannot be read (default: skip it, with a warning)",
    )
    .action(async (raw: Record<string, unknown>) => {
      await runCommand(raw);
    });
}

async function runCommand(raw: Record<string, unknown>): Promise<void> {
  const flags = parseFlags(FlagsSchema, raw, "eval compositional");
  const data = dataOrSample(flags.data, DEFAULT_DATA, SOURCE);
  const loaded = loadScenarios(data);
  for (const bad of loaded.invalid) {
    if (flags.strict) throw bad.error;
    process.stderr.write(`warning: skipping ${bad.error.toLine()}\n`);
  }
  if (loaded.scenarios.length === 0) {
    throw new UserInputError("no readable scenario", { file: data, hint: "see the warnings above" });
  }
  if (flags.saveRuns && !flags.out) {
    throw new UserInputError("--save-runs needs --out", {
      file: "command line",
      field: "save-runs",
      hint: "add --out <dir>",
    });
  }
  const byId = new Map(loaded.scenarios.map((s) => [s.id, s]));
  const explanations: string[] = [];
  const model = flags.model ? createChatModel({ model: flags.model }) : undefined;
  const total = flags.defense.length * flags.adversary.length * loaded.scenarios.length;
  const progress = createProgress("compositional", total);
  let evaluation: Evaluation;
  try {
    evaluation = await evaluate(loaded.scenarios, {
      defenses: flags.defense,
      adversaries: flags.adversary,
      threshold: flags.threshold,
      vagueAt: flags.vague,
      ...(model ? { model, agentModel: model } : {}),
      onPair: (label) => progress.tick(label),
      onRun: (run: RunOutcome) => {
        const scenario = byId.get(run.scenario);
        if (!scenario) return;
        if (flags.explain) explanations.push(...explainRun(run, scenario));
        if (flags.saveRuns && flags.out) {
          const file = toRunFile(run, scenario, { includePrivate: flags.includePrivate ?? false });
          writeRunFile(join(flags.out, "runs"), file);
        }
      },
    });
  } finally {
    progress.stop();
  }
  const output = { results: evaluation.results };
  if (flags.out) {
    mkdirSync(flags.out, { recursive: true });
    writeFileSync(join(flags.out, "results.json"), `${JSON.stringify(output, null, 2)}\n`);
    const skipped = loaded.invalid.map((b) => ({ file: b.file, reason: b.error.message }));
    writeFileSync(
      join(flags.out, "pairs.json"),
      `${JSON.stringify({ pairs: evaluation.pairs, skipped }, null, 2)}\n`,
    );
  }
  if (flags.json) {
    printJson(output);
    return;
  }
  println(
    `Compositional privacy: ${loaded.scenarios.length} scenario pairs from ${data}` +
      (loaded.invalid.length > 0 ? ` (${loaded.invalid.length} skipped)` : ""),
  );
  println(
    model
      ? `Model mode (${flags.model}): agents and guards call the model; reads still go through the table tool.`
      : "Deterministic: table-backed agents, symbolic guards deciding from the declared combination L. Not an LLM result.",
  );
  println();
  println(
    table(
      [
        "Defense",
        "Adversary",
        "Sensitive Blocked",
        "Benign Succeeded",
        "Balanced",
        "Overall",
        "Model calls",
        "Tokens",
        "Guard p50 ms",
        "Guard p99 ms",
      ],
      evaluation.results.map((r) => [
        r.defense,
        r.adversary,
        r.sensitiveBlocked.toFixed(1),
        r.benignSucceeded.toFixed(1),
        r.balanced.toFixed(1),
        r.overall.toFixed(1),
        String(r.modelCalls),
        String(r.tokens),
        r.guardP50Ms.toFixed(3),
        r.guardP99Ms.toFixed(3),
      ]),
    ),
  );
  if (explanations.length > 0) {
    println();
    for (const line of explanations) println(line);
  }
}
