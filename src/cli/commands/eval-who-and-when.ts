import type { Command } from "commander";
import { z } from "zod";
import { evaluateWhoAndWhen, loadWhoAndWhen, METHODS, type Method } from "../../eval/who-and-when/index.js";
import { createChatModel, UsageMeter } from "../../models/index.js";
import { parseFlags } from "../flags.js";
import { dataOrSample } from "../no-data.js";
import { printJson, println, table } from "../output.js";
import { createProgress } from "../progress.js";
import type { CommandGroups } from "./index.js";

/** The shipped sample (examples/data/who-and-when); the full public dataset is Who&When (repo ag2ai/Agents_Failure_Attribution, folder Who&When/). */
export const DEFAULT_DATA = "examples/data/who-and-when";
const SOURCE = "Who&When (repo ag2ai/Agents_Failure_Attribution, folder Who&When/)";

const MethodList = z
  .string()
  .transform((s) =>
    s
      .split(",")
      .map((m) => m.trim())
      .filter((m) => m.length > 0),
  )
  .pipe(z.array(z.enum(METHODS)).min(1, "name at least one method"));

const FlagsSchema = z.object({
  data: z.string().min(1).optional(),
  withGroundTruth: z.boolean().optional(),
  method: MethodList,
  model: z.string().min(1).optional(),
  json: z.boolean().optional(),
  leaveOneOut: z.boolean().optional(),
});

export function register(_program: Command, groups: CommandGroups): void {
  groups.eval
    .command("who-and-when")
    .description(
      "failure attribution on Who&When: exact-match agent and step accuracy per split, beside label priors",
    )
    .option("--data <dir>", `folder of Who&When records (or one file); default ${DEFAULT_DATA}`)
    .option("--with-ground-truth", "let methods see the correct answer")
    .option(
      "--method <list>",
      `comma-separated: ${METHODS.join(",")}`,
      "idg,first-error,last-agent,most-active,random,all-at-once",
    )
    .option("--model <name>", "model for all-at-once (OpenAI-compatible; OPENAI_BASE_URL for a local server)")
    .option(
      "--leave-one-out",
      "add an idg-loo row: the ledger reading chosen on the other records of the split",
    )
    .option("--json", 'print exactly {"splits":[{"split","method","n","agentAccuracy","stepAccuracy"}]}')
    .action(async (raw: Record<string, unknown>) => {
      await runCommand(raw);
    });
}

async function runCommand(raw: Record<string, unknown>): Promise<void> {
  const flags = parseFlags(FlagsSchema, raw, "eval who-and-when");
  const data = dataOrSample(flags.data, DEFAULT_DATA, SOURCE);
  const records = await loadWhoAndWhen(data);
  const methods = [...new Set(flags.method)] as Method[];
  const meter = new UsageMeter();
  const model =
    flags.model !== undefined && methods.includes("all-at-once")
      ? createChatModel({ model: flags.model })
      : undefined;
  const runnable = methods.filter((m) => m !== "all-at-once" || model !== undefined).length;
  const progress = createProgress("who-and-when", records.length * runnable, { quiet: false });
  const report = await evaluateWhoAndWhen(records, {
    methods,
    withGroundTruth: flags.withGroundTruth ?? false,
    leaveOneOut: flags.leaveOneOut ?? false,
    ...(model ? { model, recorder: meter } : {}),
    onRecord: (file, method) => progress.tick(`${method} ${file}`),
  });
  progress.stop();
  for (const s of report.skipped) process.stderr.write(`skipped ${s.method}: ${s.reason}\n`);
  if (flags.json) {
    printJson({
      splits: report.rows.map((r) => ({
        split: r.split,
        method: r.method,
        n: r.n,
        agentAccuracy: r.agentAccuracy,
        stepAccuracy: r.stepAccuracy,
      })),
    });
    return;
  }
  println(
    `who-and-when on ${data} (${records.length} records, ground truth ${flags.withGroundTruth ? "shown" : "hidden"}, exact match)`,
  );
  println(
    table(
      ["split", "method", "n", "agent %", "step %"],
      report.rows.map((r) => [
        r.split,
        r.method,
        String(r.n),
        r.agentAccuracy === null ? "skipped" : r.agentAccuracy.toFixed(1),
        r.stepAccuracy === null ? "skipped" : r.stepAccuracy.toFixed(1),
      ]),
    ),
  );
  println(
    "label-prior: always the split's most frequent agent / step, fitted on the same records (an upper bound for a prior).",
  );
  if (model) {
    const t = meter.totals;
    println(`model calls: ${t.modelCalls}, tokens: ${t.inputTokens} input + ${t.outputTokens} output`);
  }
}
