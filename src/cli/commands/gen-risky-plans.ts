import { writeFileSync } from "node:fs";
import type { Command } from "commander";
import { z } from "zod";
import { UserInputError } from "../../core/index.js";
import {
  type GeneratedRecord,
  generateRiskyPlans,
  RISK_CATEGORIES,
  rewriteRequests,
  STRATEGIES,
} from "../../eval/plan-risk/index.js";
import { loadSeeds } from "../../eval/plan-risk/seeds.js";
import { createChatModel, modelConfigFromEnv } from "../../models/factory.js";
import { parseFlags } from "../flags.js";
import { println, table } from "../output.js";
import type { CommandGroups } from "./index.js";

const list = <T extends string>(values: readonly [T, ...T[]], what: string) =>
  z
    .string()
    .transform((s) => s.split(",").map((x) => x.trim()))
    .pipe(z.array(z.enum(values, { message: `unknown ${what}; one of: ${values.join(", ")}` })).min(1));

const FlagsSchema = z.object({
  from: z.string().min(1),
  out: z.string().regex(/\.jsonl?$/, "the output file ends in .json (a JSON array) or .jsonl (JSON lines)"),
  count: z.coerce.number().int().min(2).max(1_000_000),
  seed: z.coerce.number().int().nonnegative(),
  strategies: list(STRATEGIES, "strategy").optional(),
  categories: list(RISK_CATEGORIES, "category").optional(),
  model: z.string().min(1).optional(),
  offline: z.boolean().optional(),
});

export function register(program: Command, _groups: CommandGroups): void {
  // The `gen` group belongs to this module alone; it is made here so main.ts needs no change.
  const gen =
    program.commands.find((c) => c.name() === "gen") ??
    program.command("gen").description("generate labelled data sets");
  gen
    .command("risky-plans")
    .description(
      "risky twins of benign plans (scenarios, or the safe records of a plan-risk file), labelled with strategy, category and first risky step, each with its benign twin",
    )
    .option(
      "--from <path>",
      "scenario folder or file, or a plan-risk data file (its safe records)",
      "scenarios",
    )
    .requiredOption("--out <file>", "where to write: .json (Safiron-style records, a JSON array) or .jsonl")
    .option("--count <n>", "records to write, risky and benign twins together", "2000")
    .option("--seed <n>", "random seed: the same seed gives the same records", "1")
    .option("--strategies <list>", `comma-separated, among: ${STRATEGIES.join(", ")}`)
    .option("--categories <list>", "comma-separated Safiron categories (default: all eight)")
    .option("--model <name>", "rewrite the requests' wording with this model (via OPENAI_BASE_URL)")
    .option("--offline", "template wording even when a model is configured")
    .action(async (raw: Record<string, unknown>) => {
      await runCommand(raw);
    });
}

async function runCommand(raw: Record<string, unknown>): Promise<void> {
  const flags = parseFlags(FlagsSchema, raw, "gen risky-plans");
  const { seeds, skipped } = loadSeeds(flags.from);
  if (seeds.length === 0) {
    throw new UserInputError("no benign plan with tool calls found", {
      file: flags.from,
      hint: "pass team scenarios (YAML) or a plan-risk file with safe records",
    });
  }
  let records = generateRiskyPlans(seeds, {
    count: flags.count,
    seed: flags.seed,
    ...(flags.strategies ? { strategies: flags.strategies } : {}),
    ...(flags.categories ? { categories: flags.categories } : {}),
  });
  let wording = "templates";
  if (!flags.offline && (flags.model !== undefined || modelConfigFromEnv() !== null)) {
    const model = createChatModel(flags.model !== undefined ? { model: flags.model } : {});
    const report = await rewriteRequests(records, model);
    records = report.records;
    wording = `model rewrite (${report.rewritten} requests reworded, ${report.kept} kept: a value would have changed)`;
  }
  writeFileSync(flags.out, serialise(records, flags.out));
  println(
    `wrote ${records.length} records (${records.filter((r) => r.label === 1).length} risky, their benign twins) to ${flags.out} from ${seeds.length} benign plans; wording: ${wording}`,
  );
  if (skipped.length > 0) println(`skipped ${skipped.length} files that are no team scenario`);
  println(table(["strategy", ...RISK_CATEGORIES.map(short)], countRows(records)));
}

function serialise(records: ReadonlyArray<GeneratedRecord>, file: string): string {
  if (file.endsWith(".jsonl")) return `${records.map((r) => JSON.stringify(r)).join("\n")}\n`;
  return `${JSON.stringify(records, null, 1)}\n`;
}

function countRows(records: ReadonlyArray<GeneratedRecord>): string[][] {
  return STRATEGIES.map((s) => [
    s,
    ...RISK_CATEGORIES.map((c) =>
      String(records.filter((r) => r.label === 1 && r.strategy === s && r.risk_type === c).length),
    ),
  ]);
}

function short(category: string): string {
  return category.split(/[ /]+/)[0] as string;
}
