import cliProgress from "cli-progress";
import type { Command } from "commander";
import { UserInputError } from "../../core/index.js";
import {
  type BatchState,
  type BatchStatus,
  batchState,
  connectQueue,
  finished,
  type QueueConnection,
} from "../../queue/index.js";
import { HARNESSES } from "../harnesses.js";
import { printJson, println, table } from "../output.js";
import type { CommandGroups } from "./index.js";

interface Flags {
  queue: string;
  json?: boolean;
}

function statusLine(s: BatchStatus): string {
  return `${s.batch} (${s.harness}): ${s.done}/${s.units} done, ${s.failed} failed, ${s.running} running, ${s.queued} queued`;
}

function failureLines(s: BatchStatus): string[] {
  return s.failures.map(
    (f) => `  failed ${f.unit} after ${f.attempts} attempt${f.attempts > 1 ? "s" : ""}: ${f.error}`,
  );
}

async function withQueue<T>(url: string, fn: (q: QueueConnection) => Promise<T>): Promise<T> {
  const q = await connectQueue(url);
  try {
    return await fn(q);
  } finally {
    await q.close();
  }
}

/** On a terminal, a bar redrawn every second until the batch is finished (or Ctrl-C). */
async function watch(q: QueueConnection, batch: string): Promise<BatchStatus> {
  let s = (await batchState(q, batch)).status;
  const bar = new cliProgress.SingleBar(
    {
      format: `${batch} [{bar}] {value}/{total} done  {failed} failed  {running} running  {queued} queued`,
      stream: process.stderr,
      hideCursor: true,
    },
    cliProgress.Presets.shades_classic,
  );
  bar.start(s.units, s.done, s);
  let stopped = false;
  const onSignal = () => {
    stopped = true;
  };
  process.once("SIGINT", onSignal);
  try {
    while (!finished(s) && !stopped) {
      await new Promise((r) => setTimeout(r, 1000));
      s = (await batchState(q, batch)).status;
      bar.update(s.done, s);
    }
  } finally {
    bar.stop();
    process.off("SIGINT", onSignal);
  }
  return s;
}

async function status(batch: string, flags: Flags): Promise<void> {
  await withQueue(flags.queue, async (q) => {
    if (flags.json) return printJson((await batchState(q, batch)).status);
    const s = process.stderr.isTTY ? await watch(q, batch) : (await batchState(q, batch)).status;
    println(statusLine(s));
    for (const line of failureLines(s)) println(line);
  });
}

/** The report of a finished batch, in the shape of a local run's; units that failed for good are listed. */
function reportOf(state: BatchState): { report: unknown; text: string } {
  const harness = HARNESSES.find((h) => h.name === state.record.harness);
  if (harness === undefined)
    throw new UserInputError(`this quorum cannot report ${state.record.harness} batches`, { field: "batch" });
  const done = state.results.filter((r) => r.status === "done").map((r) => r.result);
  const report = harness.report(state.record.spec, done);
  return { report, text: harness.format(report, table) };
}

async function report(batch: string, flags: Flags & { json?: boolean }): Promise<void> {
  await withQueue(flags.queue, async (q) => {
    const state = await batchState(q, batch);
    const s = state.status;
    if (!finished(s)) {
      throw new UserInputError(
        `batch ${batch} is not finished: ${s.done}/${s.units} done, ${s.running} running, ${s.queued} queued`,
        {
          field: "batch",
          hint: `start workers (quorum worker --queue URL) and watch with quorum eval status ${batch} --queue URL`,
        },
      );
    }
    const { report: r, text } = reportOf(state);
    if (flags.json)
      printJson({ ...(r as object), runFiles: [], ...(s.failed > 0 ? { failed: s.failures } : {}) });
    else {
      println(text);
      if (s.failed > 0)
        println(
          ["", `units that failed (${s.failed}), left out of the figures above:`, ...failureLines(s)].join(
            "\n",
          ),
        );
    }
    if (s.failed > 0) process.exitCode = 1;
  });
}

export function register(_program: Command, groups: CommandGroups): void {
  groups.eval
    .command("status <batch>")
    .description("progress of a queued batch: done / failed / running / queued (a live bar on a terminal)")
    .requiredOption("--queue <url>", "the Postgres the batch was enqueued on (postgres://...)")
    .option("--json", "print the counts and failures as JSON, once")
    .action(status);
  groups.eval
    .command("report <batch>")
    .description("the report of a finished queued batch, the same as a local run of it")
    .requiredOption("--queue <url>", "the Postgres the batch was enqueued on (postgres://...)")
    .option("--json", "print the machine-readable report only")
    .action(report);
}
