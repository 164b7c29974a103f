import { hostname } from "node:os";
import type PgBoss from "pg-boss";
import { isQuorumError, UserInputError } from "../core/index.js";
import { inTransaction, QUEUE_NAME, type QueueConnection } from "./connect.js";
import type { JobData } from "./enqueue.js";
import type { BatchHarness, UnitContext, UnitRunner } from "./harness.js";
import { BatchStore } from "./results-store.js";

export interface WorkerOptions {
  harnesses: ReadonlyArray<BatchHarness>;
  /** Jobs this process runs at once. */
  concurrency?: number;
  /**
   * How long an idle slot waits before asking for a job again. A slot that has just finished a
   * job asks at once, so this costs only idle time (pg-boss's own work() loop waits its polling
   * interval, at least 0.5 s and 2 s by default, after every job shorter than that).
   */
  idlePollMs?: number;
  /** Stop once no job is waiting, retrying or running (a batch's end, in tests and benchmarks). */
  drain?: boolean;
  context: UnitContext;
  signal?: AbortSignal;
  onEvent?: (event: WorkerEvent) => void;
}

export type WorkerEvent =
  | { type: "done"; batch: string; unit: string; attempt: number; ms: number; worker: string }
  | { type: "skipped"; batch: string; unit: string; worker: string }
  | {
      type: "failed";
      batch: string;
      unit: string;
      attempt: number;
      final: boolean;
      error: string;
      worker: string;
    }
  | { type: "error"; error: string; worker: string };

export interface WorkerSummary {
  done: number;
  failed: number;
}

export const DEFAULT_IDLE_POLL_MS = 200;

type Job = PgBoss.JobWithMetadata<JobData>;

/**
 * Takes jobs from the queue and runs them, `concurrency` at a time, until the signal aborts (or,
 * with `drain`, until the queue is empty). A result and its job's completion commit together; a
 * job whose result is there anyway (written by hand, or by a worker whose lease had run out) is
 * completed without running again.
 */
export async function runWorker(q: QueueConnection, o: WorkerOptions): Promise<WorkerSummary> {
  const concurrency = o.concurrency ?? 1;
  if (!Number.isInteger(concurrency) || concurrency < 1 || concurrency > 64) {
    throw new UserInputError(`concurrency must be a whole number from 1 to 64, not ${concurrency}`, {
      field: "--concurrency",
    });
  }
  const runners = new Map<string, Promise<UnitRunner>>();
  const summary: WorkerSummary = { done: 0, failed: 0 };
  const runnerFor = (batch: string): Promise<UnitRunner> => {
    let r = runners.get(batch);
    if (r === undefined) {
      r = prepareRunner(q, o, batch);
      runners.set(batch, r);
      r.catch(() => runners.delete(batch));
    }
    return r;
  };
  const slot = async (n: number) => {
    const worker = `${hostname()}:${process.pid}:${n}`;
    while (!o.signal?.aborted) {
      const [job] = await q.boss.fetch<JobData>(QUEUE_NAME, { batchSize: 1, includeMetadata: true });
      if (job === undefined) {
        if (o.drain && (await queueIdle(q))) return;
        await sleep(o.idlePollMs ?? DEFAULT_IDLE_POLL_MS, o.signal);
        continue;
      }
      const ok = await runJob(q, job, worker, runnerFor, o.onEvent);
      if (ok === true) summary.done += 1;
      else if (ok === false) summary.failed += 1;
    }
  };
  await Promise.all(Array.from({ length: concurrency }, (_, i) => slot(i + 1)));
  return summary;
}

async function prepareRunner(q: QueueConnection, o: WorkerOptions, batchId: string): Promise<UnitRunner> {
  const batch = await q.store.batch(batchId);
  if (batch === undefined) throw new Error(`batch ${batchId} is not in ${q.location}`);
  const harness = o.harnesses.find((h) => h.name === batch.harness);
  if (harness === undefined) throw new Error(`this worker cannot run ${batch.harness} units`);
  return harness.prepare(batch.spec, o.context);
}

/** Runs one job; true when a result was written, false when it failed, null when skipped. */
async function runJob(
  q: QueueConnection,
  job: Job,
  worker: string,
  runnerFor: (batch: string) => Promise<UnitRunner>,
  onEvent: WorkerOptions["onEvent"],
): Promise<boolean | null> {
  const { batch, unit: unitId } = job.data;
  const attempt = job.retryCount + 1;
  try {
    // A unit whose worker died after writing its result but before completing the job.
    if (await q.store.hasDone(batch, unitId)) {
      await q.boss.complete(QUEUE_NAME, job.id);
      onEvent?.({ type: "skipped", batch, unit: unitId, worker });
      return null;
    }
    const run = await runnerFor(batch);
    const unit = await q.store.unit(batch, unitId);
    if (unit === undefined) throw new Error(`unit ${unitId} is not in batch ${batch}`);
    const started = performance.now();
    const result = await run(unit);
    const ms = performance.now() - started;
    const done = {
      batchId: batch,
      unitId,
      status: "done" as const,
      result,
      attempts: attempt,
      worker,
      durationMs: ms,
    };
    await inTransaction(q, async (client, db) => {
      await new BatchStore(client).record(done);
      await q.boss.complete(QUEUE_NAME, job.id, {}, { db });
    });
    onEvent?.({ type: "done", batch, unit: unitId, attempt, ms, worker });
    return true;
  } catch (error) {
    // A Quorum error keeps its file, field and hint: the report says what to fix.
    const message = isQuorumError(error)
      ? error.toLine()
      : error instanceof Error
        ? error.message
        : String(error);
    const final = attempt >= job.retryLimit + 1;
    const failed = {
      batchId: batch,
      unitId,
      status: "failed" as const,
      error: message,
      attempts: attempt,
      worker,
      durationMs: 0,
    };
    try {
      await inTransaction(q, async (client, db) => {
        if (final) await new BatchStore(client).record(failed);
        await q.boss.fail(QUEUE_NAME, job.id, { message }, { db });
      });
    } catch (storeError) {
      // The job stays active; its lease runs out and another worker takes it.
      onEvent?.({ type: "error", error: String(storeError), worker });
    }
    onEvent?.({ type: "failed", batch, unit: unitId, attempt, final, error: message, worker });
    return false;
  }
}

/** No job waiting, waiting to retry, or running: a lost worker's job counts until its lease ends. */
async function queueIdle(q: QueueConnection): Promise<boolean> {
  const { rows } = await q.pool.query(
    "SELECT 1 FROM pgboss.job WHERE name = $1 AND state IN ('created', 'retry', 'active') LIMIT 1",
    [QUEUE_NAME],
  );
  return rows.length === 0;
}

function sleep(ms: number, signal?: AbortSignal): Promise<void> {
  return new Promise((resolve) => {
    if (signal?.aborted) return resolve();
    const timer = setTimeout(done, ms);
    function done() {
      clearTimeout(timer);
      signal?.removeEventListener("abort", done);
      resolve();
    }
    signal?.addEventListener("abort", done, { once: true });
  });
}
