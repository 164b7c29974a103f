import type pg from "pg";
import type { BatchUnit } from "./harness.js";

/**
 * Quorum's batch tables, beside pg-boss's own schema: a batch with its spec, its units in order,
 * and one result per unit. A result is written once: a unit whose worker died after writing it and
 * is run again elsewhere is still counted once. `json`, not `jsonb`, so reports keep key order.
 */

const SCHEMA = `
CREATE TABLE IF NOT EXISTS quorum_batches (
  id text PRIMARY KEY,
  harness text NOT NULL,
  spec json NOT NULL,
  units integer NOT NULL,
  lease_seconds integer NOT NULL,
  attempts integer NOT NULL,
  created_at timestamptz NOT NULL DEFAULT now()
);
CREATE TABLE IF NOT EXISTS quorum_batch_units (
  batch_id text NOT NULL REFERENCES quorum_batches(id) ON DELETE CASCADE,
  unit_id text NOT NULL,
  seq integer NOT NULL,
  payload json NOT NULL,
  PRIMARY KEY (batch_id, unit_id)
);
CREATE TABLE IF NOT EXISTS quorum_batch_results (
  batch_id text NOT NULL,
  unit_id text NOT NULL,
  status text NOT NULL CHECK (status IN ('done', 'failed')),
  result json,
  error text,
  attempts integer NOT NULL,
  worker text NOT NULL,
  duration_ms integer NOT NULL,
  finished_at timestamptz NOT NULL DEFAULT now(),
  PRIMARY KEY (batch_id, unit_id),
  FOREIGN KEY (batch_id, unit_id) REFERENCES quorum_batch_units(batch_id, unit_id) ON DELETE CASCADE
);
`;

/** Any id for the advisory lock that serialises table creation across processes. */
const SCHEMA_LOCK = 7243183;

export interface BatchRecord {
  id: string;
  harness: string;
  spec: unknown;
  units: number;
  leaseSeconds: number;
  attempts: number;
  createdAt: Date;
}

export interface UnitResult {
  batchId: string;
  unitId: string;
  status: "done" | "failed";
  result?: unknown;
  error?: string;
  attempts: number;
  worker: string;
  durationMs: number;
}

export interface StoredResult {
  unitId: string;
  seq: number;
  status: "done" | "failed";
  result: unknown;
  error: string | null;
  attempts: number;
  worker: string;
  durationMs: number;
}

type Queryable = Pick<pg.Pool | pg.PoolClient, "query">;

export class BatchStore {
  constructor(private readonly db: Queryable) {}

  /** Creates the tables if missing, one process at a time. */
  static async setup(pool: pg.Pool): Promise<void> {
    const client = await pool.connect();
    try {
      await client.query("BEGIN");
      await client.query("SELECT pg_advisory_xact_lock($1)", [SCHEMA_LOCK]);
      await client.query(SCHEMA);
      await client.query("COMMIT");
    } catch (error) {
      await client.query("ROLLBACK").catch(() => undefined);
      throw error;
    } finally {
      client.release();
    }
  }

  async createBatch(batch: Omit<BatchRecord, "createdAt">, units: ReadonlyArray<BatchUnit>): Promise<void> {
    await this.db.query(
      "INSERT INTO quorum_batches (id, harness, spec, units, lease_seconds, attempts) VALUES ($1, $2, $3, $4, $5, $6)",
      [batch.id, batch.harness, JSON.stringify(batch.spec), units.length, batch.leaseSeconds, batch.attempts],
    );
    // One statement for all units: a sweep of thousands is one round trip.
    await this.db.query(
      `INSERT INTO quorum_batch_units (batch_id, unit_id, seq, payload)
       SELECT $1, u.id, u.seq, u.payload::json
       FROM json_to_recordset($2::json) AS u(id text, seq integer, payload text)`,
      [
        batch.id,
        JSON.stringify(units.map((u, seq) => ({ id: u.id, seq, payload: JSON.stringify(u.payload) }))),
      ],
    );
  }

  async batch(id: string): Promise<BatchRecord | undefined> {
    const { rows } = await this.db.query(
      "SELECT id, harness, spec, units, lease_seconds, attempts, created_at FROM quorum_batches WHERE id = $1",
      [id],
    );
    const r = rows[0];
    if (r === undefined) return undefined;
    return {
      id: r.id,
      harness: r.harness,
      spec: r.spec,
      units: r.units,
      leaseSeconds: r.lease_seconds,
      attempts: r.attempts,
      createdAt: r.created_at,
    };
  }

  async unit(batchId: string, unitId: string): Promise<BatchUnit | undefined> {
    const { rows } = await this.db.query(
      "SELECT unit_id, payload FROM quorum_batch_units WHERE batch_id = $1 AND unit_id = $2",
      [batchId, unitId],
    );
    const r = rows[0];
    return r === undefined ? undefined : { id: r.unit_id, payload: r.payload };
  }

  async hasDone(batchId: string, unitId: string): Promise<boolean> {
    const { rows } = await this.db.query(
      "SELECT 1 FROM quorum_batch_results WHERE batch_id = $1 AND unit_id = $2 AND status = 'done'",
      [batchId, unitId],
    );
    return rows.length > 0;
  }

  /**
   * Writes a unit's result once; returns whether this call wrote it. A done result may replace a
   * failed one (a unit that failed for good and was then run again by hand), never the reverse.
   */
  async record(r: UnitResult): Promise<boolean> {
    const { rowCount } = await this.db.query(
      `INSERT INTO quorum_batch_results (batch_id, unit_id, status, result, error, attempts, worker, duration_ms)
       VALUES ($1, $2, $3, $4::json, $5, $6, $7, $8)
       ON CONFLICT (batch_id, unit_id) DO UPDATE SET
         status = EXCLUDED.status, result = EXCLUDED.result, error = EXCLUDED.error,
         attempts = EXCLUDED.attempts, worker = EXCLUDED.worker, duration_ms = EXCLUDED.duration_ms,
         finished_at = now()
       WHERE quorum_batch_results.status = 'failed' AND EXCLUDED.status = 'done'`,
      [
        r.batchId,
        r.unitId,
        r.status,
        r.result === undefined ? null : JSON.stringify(r.result),
        r.error ?? null,
        r.attempts,
        r.worker,
        Math.round(r.durationMs),
      ],
    );
    return (rowCount ?? 0) > 0;
  }

  /** Every result of a batch, in unit order. */
  async results(batchId: string): Promise<StoredResult[]> {
    const { rows } = await this.db.query(
      `SELECT r.unit_id, u.seq, r.status, r.result, r.error, r.attempts, r.worker, r.duration_ms
       FROM quorum_batch_results r JOIN quorum_batch_units u USING (batch_id, unit_id)
       WHERE r.batch_id = $1 ORDER BY u.seq`,
      [batchId],
    );
    return rows.map((r) => ({
      unitId: r.unit_id,
      seq: r.seq,
      status: r.status,
      result: r.result,
      error: r.error,
      attempts: r.attempts,
      worker: r.worker,
      durationMs: r.duration_ms,
    }));
  }
}
