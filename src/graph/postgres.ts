import type { RunnableConfig } from "@langchain/core/runnables";
import {
  type Checkpoint,
  type CheckpointMetadata,
  type CheckpointTuple,
  compareWritesSortKeys,
  type DeltaChannelHistory,
  type PendingWrite,
  writesSortKey,
} from "@langchain/langgraph-checkpoint";
import { PostgresSaver } from "@langchain/langgraph-checkpoint-postgres";
import pg from "pg";
import { UserInputError } from "../core/index.js";
import { historyOf } from "./delta-history.js";
import { HistoryMemo } from "./history-memo.js";
import { PlainJsonSerializer } from "./serde.js";
import { QUORUM_TABLES, type RunStore, type Sql, SqlRunStore, SqlToolJournal } from "./store.js";

const PATHS_TABLE = `CREATE TABLE IF NOT EXISTS quorum_write_paths (
  thread_id TEXT NOT NULL, checkpoint_ns TEXT NOT NULL, checkpoint_id TEXT NOT NULL,
  task_id TEXT NOT NULL, task_path TEXT NOT NULL,
  PRIMARY KEY (thread_id, checkpoint_ns, checkpoint_id, task_id))`;

/**
 * One checkpoint with its channel values and pending writes. Each value is found by one index
 * probe per channel (the LATERAL subquery with OFFSET 0 cannot be flattened into a join): the
 * official query let the planner hash-join the versions with a scan of every value the thread
 * ever stored, which grew with the thread's length. Values come as one JSON array of
 * [channel, type, base64] (the official bytea arrays are parsed character by character on the
 * client: 21 ms for a 1,000-step plan).
 */
const TUPLE_SQL = `SELECT cp.checkpoint, cp.checkpoint_id, cp.parent_checkpoint_id, cp.metadata,
    (SELECT json_agg(json_build_array(b.channel, b.type, encode(b.blob, 'base64')))
     FROM jsonb_each_text(cp.checkpoint -> 'channel_versions') v
     CROSS JOIN LATERAL (SELECT bl.channel, bl.type, bl.blob FROM checkpoint_blobs bl
       WHERE bl.thread_id = cp.thread_id AND bl.checkpoint_ns = cp.checkpoint_ns
         AND bl.channel = v.key AND bl.version = v.value OFFSET 0) b) AS channel_values,
    (SELECT json_agg(json_build_array(w.task_id, w.channel, w.type, encode(w.blob, 'base64'))
       ORDER BY w.task_id, w.idx)
     FROM checkpoint_writes w WHERE w.thread_id = cp.thread_id AND w.checkpoint_ns = cp.checkpoint_ns
       AND w.checkpoint_id = cp.checkpoint_id) AS pending_writes
  FROM checkpoints cp WHERE cp.thread_id = $1 AND cp.checkpoint_ns = $2`;

interface TupleRow {
  checkpoint: Omit<Checkpoint, "channel_values"> & { v: number };
  checkpoint_id: string;
  parent_checkpoint_id: string | null;
  metadata: CheckpointMetadata;
  /** [channel, type, base64 value] */
  channel_values: Array<[string, string, string | null]> | null;
  /** [task id, channel, type, base64 value] */
  pending_writes: Array<[string, string, string, string]> | null;
}

const utf8 = new TextEncoder();
const bytes = (base64: string | null) => Buffer.from(base64 ?? "", "base64");

interface HistoryRow {
  checkpoint_id: string;
  task_id: string;
  idx: number;
  task_path: string;
  channel: string;
  type: string;
  /** The value as text (JSON values), or its bytes (anything else). */
  text: string | null;
  blob: Buffer | null;
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

  /**
   * The official saver's tuple, read with `TUPLE_SQL`, so that loading the latest checkpoint does
   * not grow with the thread's history. Checkpoints from before pending sends moved into a channel
   * (format < 4) need the official migration and go to it.
   */
  override async getTuple(config: RunnableConfig): Promise<CheckpointTuple | undefined> {
    const c = config.configurable ?? {};
    const thread = c.thread_id as string | undefined;
    const ns = (c.checkpoint_ns as string | undefined) ?? "";
    const id = c.checkpoint_id as string | undefined;
    if (thread === undefined) return super.getTuple(config);
    const { rows } = await this.db.query<TupleRow>(
      `${TUPLE_SQL} ${id ? "AND cp.checkpoint_id = $3" : "ORDER BY cp.checkpoint_id DESC LIMIT 1"}`,
      id ? [thread, ns, id] : [thread, ns],
    );
    const row = rows[0];
    if (!row) return undefined;
    if (row.checkpoint.v < 4 && row.parent_checkpoint_id != null) return super.getTuple(config);
    const at = { thread_id: thread, checkpoint_ns: ns };
    return {
      config: { configurable: { ...at, checkpoint_id: row.checkpoint_id } },
      checkpoint: await this._loadCheckpoint(
        row.checkpoint,
        (row.channel_values ?? []).map(([ch, type, v]) => [utf8.encode(ch), utf8.encode(type), bytes(v)]),
      ),
      metadata: (await this._loadMetadata(row.metadata)) as CheckpointMetadata,
      parentConfig: row.parent_checkpoint_id
        ? { configurable: { ...at, checkpoint_id: row.parent_checkpoint_id } }
        : undefined,
      pendingWrites: await Promise.all(
        (row.pending_writes ?? []).map(
          async ([task, ch, type, v]) => [task, ch, await this.serde.loadsTyped(type, bytes(v))] as const,
        ),
      ),
    };
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
      `SELECT checkpoint_id, task_id, idx, channel, type,
         CASE WHEN type = 'json' THEN convert_from(blob, 'UTF8') END AS text,
         CASE WHEN type <> 'json' THEN blob END AS blob
       FROM checkpoint_writes WHERE thread_id = $1 AND checkpoint_ns = $2 AND channel = ANY($3)`,
      [thread, ns, channels],
    );
    const paths = await this.paths(thread, ns);
    for (const r of rows) r.task_path = paths.get(`${r.checkpoint_id}\u0000${r.task_id}`) ?? "";
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
    for (const ch of channels) {
      const mine = onChain.filter((r) => r.channel === ch);
      out[ch] = await historyOf(
        this.serde,
        ch,
        mine.map((r) => ({ taskId: r.task_id, type: r.type, data: r.text ?? r.blob ?? "" })),
      );
    }
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

  /**
   * Each write's task path, by checkpoint and task, read on its own: joined to the writes in one
   * query, a fresh database (no statistics yet) got a nested loop over both tables, 4.4 s for a
   * 1,000-step thread instead of 55 ms.
   */
  private async paths(thread: string, ns: string): Promise<Map<string, string>> {
    const { rows } = await this.db.query<{ checkpoint_id: string; task_id: string; task_path: string }>(
      "SELECT checkpoint_id, task_id, task_path FROM quorum_write_paths WHERE thread_id = $1 AND checkpoint_ns = $2",
      [thread, ns],
    );
    return new Map(rows.map((r) => [`${r.checkpoint_id}\u0000${r.task_id}`, r.task_path]));
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
