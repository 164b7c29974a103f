import pg from "pg";
import PgBoss from "pg-boss";
import { UserInputError } from "../core/index.js";
import { describePostgres, probePostgres } from "../graph/postgres.js";
import { BatchStore } from "./results-store.js";

/** The one pg-boss queue every batch's jobs go to; a job names its batch and unit. */
export const QUEUE_NAME = "quorum-eval";

export interface QueueConnection {
  url: string;
  /** host:port/database, for messages (no password). */
  location: string;
  pool: pg.Pool;
  boss: PgBoss;
  store: BatchStore;
  close(): Promise<void>;
}

export interface ConnectOptions {
  /**
   * Whether this process runs pg-boss's maintenance, which also expires the leases of jobs whose
   * worker died (workers do; enqueueing and status do not need to).
   */
  supervise?: boolean;
  /** How often maintenance runs, in seconds (a dead worker's job waits up to this long past its lease). */
  maintenanceSeconds?: number;
  /** The flag the URL came from, for messages. */
  field?: string;
}

/**
 * Runs `fn` in one transaction on one client; `db` lets pg-boss calls join it, so a result and
 * its job's state change commit together (and cost one commit, not two).
 */
export async function inTransaction<T>(
  q: Pick<QueueConnection, "pool">,
  fn: (client: pg.PoolClient, db: PgBoss.Db) => Promise<T>,
): Promise<T> {
  const client = await q.pool.connect();
  try {
    await client.query("BEGIN");
    const result = await fn(client, { executeSql: (text, values) => client.query(text, values) });
    await client.query("COMMIT");
    return result;
  } catch (error) {
    await client.query("ROLLBACK").catch(() => undefined);
    throw error;
  } finally {
    client.release();
  }
}

export function checkQueueUrl(url: string, field = "--queue"): void {
  if (!/^postgres(ql)?:\/\//i.test(url)) {
    throw new UserInputError(`not a Postgres connection string: ${url.replace(/:[^:@/]*@/, ":***@")}`, {
      field,
      hint: "give postgres://user:password@host:port/database",
    });
  }
}

/**
 * Connects to the queue's Postgres: checks the server first (a refusal names host and port and
 * exits 2), creates Quorum's batch tables and pg-boss's schema if missing, and makes the queue.
 */
export async function connectQueue(url: string, options: ConnectOptions = {}): Promise<QueueConnection> {
  checkQueueUrl(url, options.field);
  await probePostgres(url);
  const pool = new pg.Pool({ connectionString: url, max: 4 });
  // An idle client losing its connection must not crash the process.
  pool.on("error", () => undefined);
  const boss = new PgBoss({
    connectionString: url,
    max: 4,
    schedule: false,
    supervise: options.supervise === true,
    ...(options.maintenanceSeconds !== undefined
      ? { maintenanceIntervalSeconds: options.maintenanceSeconds }
      : {}),
  });
  // pg-boss reports background errors (a dropped connection during maintenance) as events.
  boss.on("error", () => undefined);
  try {
    await BatchStore.setup(pool);
    await boss.start();
    await boss.createQueue(QUEUE_NAME);
  } catch (error) {
    await boss.stop({ graceful: false, wait: true }).catch(() => undefined);
    await pool.end().catch(() => undefined);
    throw error;
  }
  return {
    url,
    location: describePostgres(url),
    pool,
    boss,
    store: new BatchStore(pool),
    async close() {
      await boss.stop({ graceful: false, wait: true }).catch(() => undefined);
      await pool.end().catch(() => undefined);
    },
  };
}
