import { newId, UserInputError } from "../core/index.js";
import { inTransaction, QUEUE_NAME, type QueueConnection } from "./connect.js";
import type { BatchUnit } from "./harness.js";
import { BatchStore } from "./results-store.js";

/** What a job carries: which unit of which batch. The unit itself is in Quorum's batch tables. */
export interface JobData {
  batch: string;
  unit: string;
}

export interface EnqueueOptions {
  harness: string;
  spec: unknown;
  units: ReadonlyArray<BatchUnit>;
  /**
   * How long a worker holds a job before it counts as lost and is given to another worker. It must
   * exceed the longest unit, backoff on a rate-limited endpoint included (pg-boss 10 has no heartbeat).
   */
  leaseSeconds: number;
  /** Attempts per unit before it is reported failed (pg-boss retries attempts - 1 times). */
  attempts: number;
}

export const DEFAULT_LEASE_SECONDS = 30 * 60;
export const DEFAULT_ATTEMPTS = 3;

/**
 * Stores a batch and its units and enqueues one job per unit, in one transaction: a batch is
 * either all there or not there. Returns the batch id.
 */
export async function enqueueBatch(q: QueueConnection, o: EnqueueOptions): Promise<string> {
  if (o.units.length === 0) throw new UserInputError("nothing to enqueue: the batch has no unit");
  const ids = new Set<string>();
  for (const u of o.units) {
    if (ids.has(u.id)) throw new UserInputError(`two units share the id ${u.id}`, { field: "units" });
    ids.add(u.id);
  }
  const id = newId("batch");
  await inTransaction(q, async (client, db) => {
    await new BatchStore(client).createBatch(
      {
        id,
        harness: o.harness,
        spec: o.spec,
        units: o.units.length,
        leaseSeconds: o.leaseSeconds,
        attempts: o.attempts,
      },
      o.units,
    );
    const jobs = o.units.map((u) => ({
      name: QUEUE_NAME,
      data: { batch: id, unit: u.id } satisfies JobData,
      retryLimit: o.attempts - 1,
      expireInSeconds: o.leaseSeconds,
    }));
    await q.boss.insert(jobs, { db });
  });
  return id;
}
