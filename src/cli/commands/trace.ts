import { readFile, rename, writeFile } from "node:fs/promises";
import type { Command } from "commander";
import { z } from "zod";
import { teamEventsOf, UserInputError } from "../../core/index.js";
import { checkpointReplayer } from "../../eval/replay/replay.js";
import { traceWithModel } from "../../eval/who-and-when/all-at-once.js";
import { createChatModel } from "../../models/index.js";
import {
  buildView,
  exportTrace,
  loadTraceFile,
  type Replayer,
  type RootCauseReport,
  TRACE_FORMATS,
  type TraceInput,
  type TraceView,
  traceRun,
} from "../../trace/index.js";
import { parseFlags } from "../flags.js";
import { loadRunFile, sendRunToOtlp } from "../otlp.js";
import type { CommandGroups } from "./index.js";

const FlagsSchema = z.object({
  format: z.enum(TRACE_FORMATS),
  groundTruth: z.string().min(1, "must not be empty").optional(),
  out: z.string().min(1).optional(),
  includePrivate: z.boolean().optional(),
  method: z.enum(["idg", "model"]).default("idg"),
  model: z.string().min(1).optional(),
});
export type TraceFlags = z.infer<typeof FlagsSchema>;

export function register(program: Command, _groups: CommandGroups): void {
  program
    .command("trace")
    .description("name the root cause of a failed run: agent, step, item, why, and the evidence chain")
    .argument("<file>", "a quorum run file (runs/<id>.json) or a Who&When record")
    .option("--format <format>", `output format: ${TRACE_FORMATS.join(" | ")}`, "text")
    .option("--ground-truth <text>", "the correct final answer, if known")
    .option("--out <file>", "write the output to a file instead of stdout")
    .option(
      "--include-private",
      "keep private and sensitive item content in the export (redacted by default)",
    )
    .option("--method <method>", "idg (no model) | model (one call; needs --model)", "idg")
    .option(
      "--model <name>",
      "with --method model: OpenAI-compatible model (OPENAI_BASE_URL for a local server)",
    )
    .option("--replay", "confirm the top suspects by re-running from the checkpoint before them (needs --db)")
    .option("--db <path>", "the SQLite file the run was started with (quorum run --db)")
    .option("--corrected <text>", "with --replay: the output to substitute for the suspect step")
    .option("--otlp <url>", "send the run's OpenTelemetry spans to an OTLP/HTTP collector instead")
    .option("--events", "print the run's team events (as team.stream() gives them), one JSON line each")
    .action(async (file: string, raw: Record<string, unknown>) => {
      const { replay, db, corrected, otlp, events, ...flags } = raw as Record<string, unknown> & {
        replay?: boolean;
        db?: string;
        corrected?: string;
        otlp?: string;
        events?: boolean;
      };
      if (events) {
        for (const event of teamEventsOf(await loadRunFile(file)))
          process.stdout.write(`${JSON.stringify(event)}\n`);
        return;
      }
      if (otlp !== undefined) {
        const sent = await sendRunToOtlp(file, otlp);
        process.stderr.write(`sent ${sent.spans} spans to ${sent.endpoint}\n`);
        return;
      }
      if (!replay) {
        if (db !== undefined || corrected !== undefined) {
          throw new UserInputError("--db and --corrected only make sense with --replay", { field: "flags" });
        }
        await runTrace(file, flags);
        return;
      }
      if (db === undefined) {
        throw new UserInputError("--replay needs the run's checkpoints", {
          field: "--db",
          hint: "pass --db PATH, the file given to quorum run --db",
        });
      }
      await runTrace(file, flags, { replay: checkpointReplayer(db, await threadIdOf(file), corrected) });
    });
}

/** The thread a run file belongs to (replay re-runs that thread from its checkpoints). */
async function threadIdOf(file: string): Promise<string> {
  let raw: unknown;
  try {
    raw = JSON.parse(await readFile(file, "utf8"));
  } catch (error) {
    throw new UserInputError("cannot read the run file", { file, cause: error });
  }
  const threadId = (raw as { threadId?: unknown } | null)?.threadId;
  if (typeof threadId !== "string") {
    throw new UserInputError("only our own run files can be replayed", {
      file,
      field: "threadId",
      hint: "imported logs have no checkpoints",
    });
  }
  return threadId;
}

export interface TraceDeps {
  /** Re-runs our own runs from the checkpoint before a suspect item (provided by the team graph). */
  replay?: Replayer;
}

export async function runTrace(
  file: string,
  raw: Record<string, unknown>,
  deps: TraceDeps = {},
): Promise<void> {
  const flags = parseFlags(FlagsSchema, raw, "trace");
  if (flags.method === "model" && deps.replay)
    throw new UserInputError(
      "--replay confirms the IDG's suspects; it does not combine with --method model",
      {
        field: "--method",
      },
    );
  const input = await loadTraceFile(file);
  const result =
    flags.method === "model"
      ? await traceByModel(input, flags)
      : await traceRun(input, {
          ...(flags.groundTruth !== undefined ? { groundTruth: flags.groundTruth } : {}),
          includePrivate: flags.includePrivate ?? false,
          ...(deps.replay ? { replay: deps.replay } : {}),
        });
  const text = exportTrace(result.view, flags.format);
  if (flags.out === undefined) {
    process.stdout.write(text);
    return;
  }
  // Written whole or not at all: a half-written page is worse than none.
  const tmp = `${flags.out}.${process.pid}.tmp`;
  try {
    await writeFile(tmp, text, "utf8");
    await rename(tmp, flags.out);
  } catch (error) {
    throw new UserInputError(`cannot write ${flags.out}`, {
      file: flags.out,
      hint: "check the folder exists and is writable",
      cause: error,
    });
  }
  const root = result.report.rootCause;
  process.stderr.write(
    `wrote ${flags.format} to ${flags.out}${root ? ` (root cause: step ${root.step}, ${root.agent})` : ""}\n`,
  );
}

/** `--method model`: the model names the root cause, the IDG supplies the rest of the report. */
async function traceByModel(
  input: TraceInput,
  flags: TraceFlags,
): Promise<{ view: TraceView; report: RootCauseReport }> {
  if (flags.model === undefined) {
    throw new UserInputError("--method model needs a model", {
      field: "--model",
      hint: "pass --model NAME (OPENAI_BASE_URL and OPENAI_API_KEY select the endpoint)",
    });
  }
  const { idg, report } = await traceWithModel(createChatModel({ model: flags.model }), input, {
    modelName: flags.model,
    ...(flags.groundTruth !== undefined ? { groundTruth: flags.groundTruth } : {}),
  });
  const view = buildView(idg, report, {
    includePrivate: flags.includePrivate ?? false,
    origin: input.origin,
    task: input.task,
  });
  return { view, report };
}
