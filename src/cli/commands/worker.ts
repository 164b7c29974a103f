import type { Command } from "commander";
import { UserInputError } from "../../core/index.js";
import { connectQueue, DEFAULT_IDLE_POLL_MS, runWorker, type WorkerEvent } from "../../queue/index.js";
import { HARNESSES } from "../harnesses.js";
import type { CommandGroups } from "./index.js";

interface Flags {
  queue: string;
  concurrency: string;
  baseUrl?: string;
  idlePollMs: string;
  leaseCheck: string;
  drain?: boolean;
  quiet?: boolean;
}

function whole(value: string, field: string, min: number): number {
  const n = Number(value);
  if (!Number.isInteger(n) || n < min)
    throw new UserInputError(`${field} must be a whole number of at least ${min}, not ${value}`, { field });
  return n;
}

function describe(e: WorkerEvent): string {
  switch (e.type) {
    case "done":
      return `done ${e.batch} ${e.unit} (attempt ${e.attempt}, ${Math.round(e.ms)} ms)`;
    case "skipped":
      return `skipped ${e.batch} ${e.unit}: its result was already written`;
    case "failed":
      return `${e.final ? "failed for good" : "failed, will retry"} ${e.batch} ${e.unit} (attempt ${e.attempt}): ${e.error}`;
    case "error":
      return `error: ${e.error}`;
  }
}

export function register(program: Command, _groups: CommandGroups): void {
  program
    .command("worker")
    .description(
      "take batch jobs from a Postgres queue and write each result there (run any number, anywhere)",
    )
    .requiredOption("--queue <url>", "the Postgres the batch was enqueued on (postgres://...)")
    .option("--concurrency <n>", "jobs this worker runs at once", "1")
    .option("--base-url <url>", "this machine's OpenAI-compatible endpoint, over the batch's")
    .option("--idle-poll-ms <ms>", "how often an idle slot asks for a job", String(DEFAULT_IDLE_POLL_MS))
    .option("--lease-check <seconds>", "how often expired leases (lost workers) are looked for", "10")
    .option("--drain", "exit once no job is waiting or running")
    .option("--quiet", "no line per job")
    .action(async (flags: Flags) => {
      const concurrency = whole(flags.concurrency, "--concurrency", 1);
      const idlePollMs = whole(flags.idlePollMs, "--idle-poll-ms", 10);
      const maintenanceSeconds = whole(flags.leaseCheck, "--lease-check", 1);
      const q = await connectQueue(flags.queue, { supervise: true, maintenanceSeconds });
      const stop = new AbortController();
      // Ctrl-C or SIGTERM: take no new job, finish the running ones.
      const onSignal = () => stop.abort();
      process.once("SIGINT", onSignal);
      process.once("SIGTERM", onSignal);
      try {
        const say = flags.quiet ? undefined : (e: WorkerEvent) => process.stderr.write(`  ${describe(e)}\n`);
        if (!flags.quiet)
          process.stderr.write(`worker on ${q.location}: ${concurrency} at a time, ${process.pid}\n`);
        const summary = await runWorker(q, {
          harnesses: HARNESSES,
          concurrency,
          idlePollMs,
          drain: flags.drain === true,
          context: { env: process.env, baseUrl: flags.baseUrl },
          signal: stop.signal,
          ...(say ? { onEvent: say } : {}),
        });
        if (!flags.quiet)
          process.stderr.write(`worker stopped: ${summary.done} done, ${summary.failed} failed\n`);
      } finally {
        process.off("SIGINT", onSignal);
        process.off("SIGTERM", onSignal);
        await q.close();
      }
    });
}
