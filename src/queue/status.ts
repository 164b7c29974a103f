import { UserInputError } from "../core/index.js";
import { QUEUE_NAME, type QueueConnection } from "./connect.js";
import type { BatchRecord, StoredResult } from "./results-store.js";

export interface UnitFailure {
  unit: string;
  attempts: number;
  error: string;
}

export interface BatchStatus {
  batch: string;
  harness: string;
  units: number;
  done: number;
  failed: number;
  running: number;
  /** Waiting for a worker, a retry included. */
  queued: number;
  failures: UnitFailure[];
}

export interface BatchState {
  record: BatchRecord;
  results: StoredResult[];
  status: BatchStatus;
}

/**
 * Where a batch stands, from its results and pg-boss's job states. A job whose last attempt was
 * lost with its worker has no result row; pg-boss marked it failed when the lease ran out.
 */
export async function batchState(q: QueueConnection, batchId: string): Promise<BatchState> {
  const record = await q.store.batch(batchId);
  if (record === undefined) {
    throw new UserInputError(`no batch ${batchId} in ${q.location}`, {
      field: "batch",
      hint: "give the id that quorum eval ... --queue printed, and the same --queue",
    });
  }
  const results = await q.store.results(batchId);
  const written = new Set(results.map((r) => r.unitId));
  const { rows } = await q.pool.query(
    `SELECT data->>'unit' AS unit, state, retry_count, output FROM pgboss.job
     WHERE name = $1 AND data->>'batch' = $2 AND state IN ('active', 'failed')
     UNION ALL
     SELECT data->>'unit', state, retry_count, output FROM pgboss.archive
     WHERE name = $1 AND data->>'batch' = $2 AND state = 'failed'`,
    [QUEUE_NAME, batchId],
  );
  const failures: UnitFailure[] = results
    .filter((r) => r.status === "failed")
    .map((r) => ({ unit: r.unitId, attempts: r.attempts, error: r.error ?? "unknown error" }));
  let running = 0;
  for (const row of rows as Array<{ unit: string; state: string; retry_count: number; output: unknown }>) {
    if (written.has(row.unit)) continue;
    if (row.state === "active") running += 1;
    else failures.push({ unit: row.unit, attempts: row.retry_count + 1, error: jobError(row.output) });
  }
  const done = results.filter((r) => r.status === "done").length;
  return {
    record,
    results,
    status: {
      batch: batchId,
      harness: record.harness,
      units: record.units,
      done,
      failed: failures.length,
      running,
      queued: Math.max(0, record.units - done - failures.length - running),
      failures,
    },
  };
}

function jobError(output: unknown): string {
  const value = (output as { value?: { message?: unknown }; message?: unknown } | null) ?? {};
  const message = value.value?.message ?? value.message;
  if (message === "job failed by timeout in active state") return "lease expired: the worker was lost";
  return typeof message === "string" ? message : "failed";
}

export function finished(s: BatchStatus): boolean {
  return s.done + s.failed >= s.units;
}
