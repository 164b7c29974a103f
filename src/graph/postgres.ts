import type { RunnableConfig } from "@langchain/core/runnables";
import {
  compareWritesSortKeys,
  type DeltaChannelHistory,
  type PendingWrite,
  writesSortKey,
} from "@langchain/langgraph-checkpoint";
import { PostgresSaver } from "@langchain/langgraph-checkpoint-postgres";
import pg from "pg";
import { UserInputError } from "../core/index.js";
import { HistoryMemo } from "./history-memo.js";
import { PlainJsonSerializer } from "./serde.js";
import { QUORUM_TABLES, type RunStore, type Sql, SqlRunStore, SqlToolJournal } from "./store.js";

const PATHS_TABLE = `CREATE TABLE IF NOT EXISTS quorum_write_paths (
  thread_id TEXT NOT NULL, checkpoint_ns TEXT NOT NULL, checkpoint_id TEXT NOT NULL,
  task_id TEXT NOT NULL, task_path TEXT NOT NULL,
  PRIMARY KEY (thread_id, checkpoint_ns, checkpoint_id, task_id))`;

interface HistoryRow {
  checkpoint_id: string;
  task_id: string;
  idx: number;
  task_path: string;
  channel: string;
  type: string;
  blob: Buffer;
}

/**
 * LangGraph's official Postgres saver, plus what delta channels need to be exact and fast: each
 * write's task path (the official tables have none, so it would sort parallel writes by task id,
 * not in the order live execution applied them) and the ancestor writes in one query instead of
 * one `getTuple` per ancestor.
 */
export class QuorumPostgresSaver extends PostgresSaver {
  private readonly memo = new HistoryMemo();

  constructor(private readonly db: pg.Pool) {
    super(db, new PlainJsonSerializer());
  }

  override async setup(): Promise<void> {
    await super.setup();
    await this.db.query(PATHS_TABLE);
  }

  override async putWrites(
    config: RunnableConfig,
    writes: PendingWrite[],
    taskId: string,
    taskPath?: string,
  ): Promise<void> {
    const c = config.configurable ?? {};
    this.memo.forget(c.thread_id);
    // The path first: a crash between the two leaves a path with no writes, which is harmless.
    if (taskPath && c.thread_id !== undefined && c.checkpoint_id !== undefined) {
      await this.db.query(
        "INSERT INTO quorum_write_paths (thread_id, checkpoint_ns, checkpoint_id, task_id, task_path) VALUES ($1, $2, $3, $4, $5) ON CONFLICT DO NOTHING",
        [c.thread_id, c.checkpoint_ns ?? "", c.checkpoint_id, taskId, taskPath],
      );
    }
    await super.putWrites(config, writes, taskId);
  }

  override async put(...args: Parameters<PostgresSaver["put"]>): ReturnType<PostgresSaver["put"]> {
    this.memo.forget(args[0].configurable?.thread_id);
    return super.put(...args);
  }

  override async deleteThread(threadId: string): Promise<void> {
    this.memo.forget(threadId);
    await super.deleteThread(threadId);
    await this.db.query("DELETE FROM quorum_write_paths WHERE thread_id = $1", [threadId]);
  }

  override getDeltaChannelHistory(options: {
    config: RunnableConfig;
    channels: string[];
  }): Promise<Record<string, DeltaChannelHistory>> {
    return this.memo.get(options.config, options.channels, () => this.readHistory(options));
  }

  private async readHistory(options: {
    config: RunnableConfig;
    channels: string[];
  }): Promise<Record<string, DeltaChannelHistory>> {
    const { channels } = options;
    const target = channels.length > 0 ? await this.getTuple(options.config) : undefined;
    const parent = target?.parentConfig?.configurable;
    // Seeds (snapshots, migrated values) are rare; the general walk handles threads that have one.
    if (!parent?.checkpoint_id || (await this.hasSeeds(parent.thread_id as string, channels)))
      return super.getDeltaChannelHistory(options);
    const thread = parent.thread_id as string;
    const ns = (parent.checkpoint_ns as string | undefined) ?? "";
    const depth = await this.chain(thread, ns, parent.checkpoint_id as string);
    const { rows } = await this.db.query<HistoryRow>(
      `SELECT w.checkpoint_id, w.task_id, w.idx, w.channel, w.type, w.blob, COALESCE(p.task_path, '') AS task_path
       FROM checkpoint_writes w LEFT JOIN quorum_write_paths p ON p.thread_id = w.thread_id
         AND p.checkpoint_ns = w.checkpoint_ns AND p.checkpoint_id = w.checkpoint_id AND p.task_id = w.task_id
       WHERE w.thread_id = $1 AND w.checkpoint_ns = $2 AND w.channel = ANY($3)`,
      [thread, ns, channels],
    );
    // The thread's other branches (forks) are not on the chain. (Filtering here rather than with
    // `checkpoint_id = ANY(chain)` keeps the query linear: Postgres tested each row against the
    // whole array.)
    const onChain = rows.filter((r) => depth.has(r.checkpoint_id));
    // Oldest superstep first; within one, the order live execution applied the writes in.
    const key = (r: HistoryRow) => writesSortKey(r.task_path, r.task_id, r.idx);
    onChain.sort(
      (a, b) =>
        (depth.get(b.checkpoint_id) ?? 0) - (depth.get(a.checkpoint_id) ?? 0) ||
        compareWritesSortKeys(key(a), key(b)),
    );
    const out: Record<string, DeltaChannelHistory> = {};
    for (const ch of channels) out[ch] = { writes: [] };
    for (const r of onChain)
      out[r.channel]?.writes.push([r.task_id, r.channel, await this.serde.loadsTyped(r.type, r.blob)]);
    return out;
  }

  /**
   * Depth of each checkpoint on the chain from `id` to the root (0 for `id`), walked in memory over
   * the thread's (id, parent) pairs: a recursive query made Postgres scan the table per ancestor.
   */
  private async chain(thread: string, ns: string, id: string): Promise<Map<string, number>> {
    const { rows } = await this.db.query<{ checkpoint_id: string; parent_checkpoint_id: string | null }>(
      "SELECT checkpoint_id, parent_checkpoint_id FROM checkpoints WHERE thread_id = $1 AND checkpoint_ns = $2",
      [thread, ns],
    );
    const parentOf = new Map(rows.map((r) => [r.checkpoint_id, r.parent_checkpoint_id]));
    const depth = new Map<string, number>();
    for (let at: string | null | undefined = id; at && !depth.has(at); at = parentOf.get(at))
      depth.set(at, depth.size);
    return depth;
  }

  /** Whether any stored value (not the official saver's "empty" marker) exists for the channels. */
  private async hasSeeds(threadId: string, channels: string[]): Promise<boolean> {
    const { rows } = await this.db.query(
      "SELECT 1 FROM checkpoint_blobs WHERE thread_id = $1 AND channel = ANY($2) AND type <> 'empty' LIMIT 1",
      [threadId, channels],
    );
    return rows.length > 0;
  }
}

/** `?` placeholders to Postgres's `$n`. */
function numbered(sql: string): string {
  let n = 0;
  return sql.replace(/\?/g, () => `$${++n}`);
}

/** host:port/database of a connection string, without user or password. */
export function describePostgres(url: string): string {
  try {
    const u = new URL(url);
    return `${u.hostname}:${u.port || "5432"}${u.pathname}`;
  } catch {
    return "postgres (unparsable connection string)";
  }
}

const HINTS: Record<string, string> = {
  ECONNREFUSED: "is the server running and listening there? check host and port",
  ENOTFOUND: "check the host name",
  ETIMEDOUT: "check the host, port and firewall",
  "28P01": "the password was refused: check the user and password in the connection string",
  "28000": "the server refused this user: check the user and pg_hba.conf",
  "3D000": "the database does not exist: create it (createdb) or fix the name",
};

function connectionError(url: string, error: unknown): UserInputError {
  const e = error as { code?: string; message?: string };
  const where = describePostgres(url);
  return new UserInputError(`cannot connect to Postgres at ${where}: ${e.code ?? e.message ?? "error"}`, {
    file: where,
    hint: HINTS[e.code ?? ""] ?? "check the connection string (postgres://user:password@host:port/database)",
    cause: error,
  });
}

/**
 * One connection that says whether the server is there, within 10 s; a refusal becomes a user
 * error naming host, port and database (never the password) with a hint.
 */
export async function probePostgres(url: string): Promise<void> {
  let probe: pg.Client | undefined;
  try {
    probe = new pg.Client({ connectionString: url, connectionTimeoutMillis: 10_000 });
    await probe.connect();
    await probe.query("SELECT 1");
  } catch (error) {
    throw connectionError(url, error);
  } finally {
    await probe?.end().catch(() => undefined);
  }
}

/**
 * Runs in Postgres: LangGraph's official saver (wrapped, above) and Quorum's own tables (threads,
 * the tool journal, leases) in the same database. Open with `PostgresRunStore.open(url)`.
 */
export class PostgresRunStore extends SqlRunStore implements RunStore {
  readonly kind = "postgres" as const;
  readonly location: string;
  readonly checkpointer: QuorumPostgresSaver;
  readonly journal: SqlToolJournal;
  protected readonly sql: Sql;

  private constructor(
    /** The connection pool (the saver and Quorum's tables share it). */
    readonly pool: pg.Pool,
    url: string,
  ) {
    super();
    this.location = describePostgres(url);
    this.sql = {
      async run(sql, params) {
        return (await pool.query(numbered(sql), params)).rowCount ?? 0;
      },
      async all<T>(sql: string, params: unknown[]) {
        return (await pool.query(numbered(sql), params)).rows as T[];
      },
    };
    this.checkpointer = new QuorumPostgresSaver(pool);
    this.journal = new SqlToolJournal(this.sql);
  }

  /** Connects, creates the tables when missing, and fails with a one-line error when it cannot. */
  static async open(url: string): Promise<PostgresRunStore> {
    // The pool's clients then wait for each other as long as it takes (a wait timeout would fail
    // a busy run's writes).
    await probePostgres(url);
    const pool = new pg.Pool({ connectionString: url, max: 8 });
    // An idle client losing its connection must not crash the process.
    pool.on("error", () => undefined);
    const store = new PostgresRunStore(pool, url);
    // Two processes opening a fresh database at once would race on CREATE TABLE: one at a time.
    const client = await pool.connect();
    try {
      await client.query("SELECT pg_advisory_lock(7243182)");
      await store.checkpointer.setup();
      for (const statement of QUORUM_TABLES.split(";").filter((s) => s.trim())) await client.query(statement);
    } finally {
      await client.query("SELECT pg_advisory_unlock(7243182)").catch(() => undefined);
      client.release();
    }
    return store;
  }

  async close(): Promise<void> {
    await this.pool.end();
  }
}
