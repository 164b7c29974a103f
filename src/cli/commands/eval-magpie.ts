import type { Command } from "commander";
import { enqueueMagpie } from "../../eval/magpie/batch.js";
import {
  evalMagpie,
  formatDetectorCheck,
  GUARD_NAMES,
  type MagpieCommandOptions,
} from "../../eval/magpie/command.js";
import { formatItems, formatReport } from "../../eval/magpie/report.js";
import { printJson, println, table } from "../output.js";
import { createProgress } from "../progress.js";
import type { CommandGroups } from "./index.js";

interface Flags {
  data?: string;
  script?: string;
  replay?: string;
  detectorCheck?: string;
  limit?: string;
  rounds?: string;
  privacy?: string;
  guard?: string;
  agents?: string;
  model?: string;
  baseUrl?: string;
  judge?: boolean;
  out?: string;
  includePrivate?: boolean;
  json?: boolean;
  quiet?: boolean;
  items?: boolean;
  judgeMode?: string;
  queue?: string;
  lease?: string;
  attempts?: string;
}

export function register(_program: Command, groups: CommandGroups): void {
  groups.eval
    .command("magpie")
    .description("run MAGPIE-style privacy negotiations; report leakage, consensus, task completion and cost")
    .option("--data <path>", "MAGPIE scenarios: .jsonl, .tsv (JSON columns), .json, or a folder of them")
    .option("--script <file>", "a scripted scenario (quorum.magpie-script YAML/JSON): runs without a model")
    .option("--replay <file>", "score recorded conversations (quorum.magpie-transcript JSON lines)")
    .option(
      "--detector-check <file>",
      "precision and recall of the leak detector on a labelled set (with --data: false positives on unrelated pairs)",
    )
    .option("--limit <n>", "run only the first N scenarios")
    .option("--rounds <n>", "rounds per negotiation (default 10)")
    .option("--privacy <mode>", "explicit | implicit privacy instructions", "explicit")
    .option("--guard <list>", `message guards, comma-separated: ${GUARD_NAMES.join(", ")}`, "none")
    .option(
      "--agents <kind>",
      "agents without a model: rule | careless (rule agents that state private values)",
      "rule",
    )
    .option(
      "--model <name>",
      "run the agents (and the judge) on this model (OPENAI_BASE_URL, OPENAI_API_KEY)",
    )
    .option("--base-url <url>", "OpenAI-compatible endpoint, e.g. http://127.0.0.1:8080/v1")
    .option("--no-judge", "model mode: skip the LLM judge")
    .option(
      "--judge-mode <mode>",
      "--detector-check with a model: model (every item) | layered (only the unsure ones)",
    )
    .option("--out <dir>", "write each run file (private content redacted) into this folder")
    .option("--include-private", "keep private content in the run files")
    .option("--items", "also list each leaked item: detector and judge ratings side by side, with evidence")
    .option("--json", "print the machine-readable report only")
    .option("--quiet", "no progress output")
    .option(
      "--queue <url>",
      "enqueue one job per scenario on this Postgres (postgres://...) and print the batch id; run them with quorum worker",
    )
    .option(
      "--lease <seconds>",
      "with --queue: a job whose worker is silent this long goes to another worker (default 1800)",
    )
    .option("--attempts <n>", "with --queue: attempts per unit before it is reported failed (default 3)")
    .action(async (flags: Flags) => {
      const options: MagpieCommandOptions = {
        ...(flags.data !== undefined ? { data: flags.data } : {}),
        ...(flags.script !== undefined ? { script: flags.script } : {}),
        ...(flags.replay !== undefined ? { replay: flags.replay } : {}),
        ...(flags.detectorCheck !== undefined ? { detectorCheck: flags.detectorCheck } : {}),
        ...(flags.limit !== undefined ? { limit: flags.limit } : {}),
        ...(flags.rounds !== undefined ? { rounds: flags.rounds } : {}),
        ...(flags.privacy !== undefined ? { privacy: flags.privacy as "explicit" } : {}),
        ...(flags.guard !== undefined ? { guard: flags.guard } : {}),
        ...(flags.agents !== undefined ? { agents: flags.agents as "rule" } : {}),
        ...(flags.model !== undefined ? { model: flags.model } : {}),
        ...(flags.baseUrl !== undefined ? { baseUrl: flags.baseUrl } : {}),
        judge: flags.judge !== false,
        ...(flags.out !== undefined ? { out: flags.out } : {}),
        includePrivate: flags.includePrivate === true,
        ...(flags.judgeMode !== undefined ? { judgeMode: flags.judgeMode as "layered" } : {}),
      };
      if (flags.queue !== undefined) {
        const queued = await enqueueMagpie(options, {
          url: flags.queue,
          leaseSeconds: flags.lease === undefined ? undefined : Number(flags.lease),
          attempts: flags.attempts === undefined ? undefined : Number(flags.attempts),
        });
        if (flags.json) printJson(queued);
        else {
          println(queued.batch);
          if (!flags.quiet)
            process.stderr.write(
              `enqueued ${queued.units} units; run them with: quorum worker --queue URL; watch: quorum eval status ${queued.batch} --queue URL\n`,
            );
        }
        return;
      }
      const result = await evalMagpie(options, {
        progress: (title, total) =>
          createProgress(title, total, { quiet: flags.quiet === true || flags.json === true }),
      });
      if (result.kind === "detector") {
        if (flags.json)
          printJson({
            file: result.file,
            ...result.check,
            guard: result.guard,
            judged: result.judged,
            unrelated: result.unrelated,
          });
        else
          println(
            formatDetectorCheck(
              result.file,
              result.check,
              result.guard,
              result.unrelated,
              result.judged,
              table,
            ),
          );
        return;
      }
      if (flags.json) {
        printJson({ ...result.report, runFiles: result.runFiles });
        return;
      }
      println(formatReport(result.report, table));
      if (flags.items) println(`\n${formatItems(result.report, table)}`);
      for (const f of result.runFiles) println(`run file: ${f}`);
    });
}
