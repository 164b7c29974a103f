import type { RunnableConfig } from "@langchain/core/runnables";
import {
  BaseCheckpointSaver,
  type ChannelVersions,
  type Checkpoint,
  type CheckpointListOptions,
  type CheckpointMetadata,
  type CheckpointPendingWrite,
  type CheckpointTuple,
  type DeltaChannelHistory,
  maxChannelVersion,
  type PendingWrite,
  type SerializerProtocol,
  TASKS,
  WRITES_IDX_MAP,
} from "@langchain/langgraph-checkpoint";
import type Database from "better-sqlite3";
import { historyOf } from "./delta-history.js";
import { HistoryMemo } from "./history-memo.js";
import { PlainJsonSerializer } from "./serde.js";

const SCHEMA = `
CREATE TABLE IF NOT EXISTS quorum_checkpoints (
  thread_id TEXT NOT NULL, checkpoint_ns TEXT NOT NULL, checkpoint_id TEXT NOT NULL,
  parent_id TEXT, type TEXT NOT NULL, checkpoint BLOB NOT NULL, metadata_type TEXT NOT NULL,
  metadata BLOB NOT NULL,
  PRIMARY KEY (thread_id, checkpoint_ns, checkpoint_id));
CREATE TABLE IF NOT EXISTS quorum_checkpoint_blobs (
  thread_id TEXT NOT NULL, checkpoint_ns TEXT NOT NULL, channel TEXT NOT NULL, version TEXT NOT NULL,
  type TEXT NOT NULL, blob BLOB,
  PRIMARY KEY (thread_id, checkpoint_ns, channel, version));
CREATE TABLE IF NOT EXISTS quorum_checkpoint_writes (
  thread_id TEXT NOT NULL, checkpoint_ns TEXT NOT NULL, checkpoint_id TEXT NOT NULL,
  task_id TEXT NOT NULL, idx INTEGER NOT NULL, channel TEXT NOT NULL, type TEXT NOT NULL,
  blob BLOB NOT NULL, task_path TEXT NOT NULL DEFAULT '',
  PRIMARY KEY (thread_id, checkpoint_ns, checkpoint_id, task_id, idx));
`;

/**
 * The parent chain of a checkpoint, with its distance from it (parameters: checkpoint id, thread,
 * namespace). CROSS JOIN keeps SQLite from making the checkpoints table the outer loop, which
 * scanned it once per ancestor.
 */
const CHAIN = `WITH RECURSIVE chain(id, depth) AS (
  SELECT ?, 0
  UNION ALL
  SELECT c.parent_id, chain.depth + 1 FROM chain CROSS JOIN quorum_checkpoints c
    ON c.thread_id = ? AND c.checkpoint_ns = ? AND c.checkpoint_id = chain.id
  WHERE c.parent_id IS NOT NULL)`;

interface CheckpointRow {
  thread_id: string;
  checkpoint_ns: string;
  checkpoint_id: string;
  parent_id: string | null;
  type: string;
  checkpoint: Uint8Array;
  metadata_type: string;
  metadata: Uint8Array;
}

interface WriteRow {
  task_id: string;
  channel: string;
  type: string;
  blob: Uint8Array;
}

/** The checkpoint as stored: everything but the channel values, which live in the blob table. */
type StoredCheckpoint = Omit<Checkpoint, "channel_values">;

function ids(config: RunnableConfig): { thread: string | undefined; ns: string; id: string | undefined } {
  const c = config.configurable ?? {};
  return {
    thread: c.thread_id as string | undefined,
    ns: (c.checkpoint_ns as string | undefined) ?? "",
    id: c.checkpoint_id as string | undefined,
  };
}

/**
 * A LangGraph checkpointer on a SQLite database that stores each channel value once per version
 * (a checkpoint stores only the channels its superstep changed) and keeps every write's task path,
 * so a delta channel is rebuilt in the order live execution applied its writes. With the team's
 * append-only channels this keeps the database linear in the run's length, where a saver that
 * writes whole checkpoints grows with the square of it.
 */
export class QuorumSqliteSaver extends BaseCheckpointSaver {
  private readonly memo = new HistoryMemo();

  constructor(
    private readonly db: Database.Database,
    serde: SerializerProtocol = new PlainJsonSerializer(),
  ) {
    super(serde);
    db.exec(SCHEMA);
  }

  async getTuple(config: RunnableConfig): Promise<CheckpointTuple | undefined> {
    const { thread, ns, id } = ids(config);
    if (thread === undefined) return undefined;
    const row = (
      id
        ? this.db
            .prepare(
              "SELECT * FROM quorum_checkpoints WHERE thread_id = ? AND checkpoint_ns = ? AND checkpoint_id = ?",
            )
            .get(thread, ns, id)
        : this.db
            .prepare(
              "SELECT * FROM quorum_checkpoints WHERE thread_id = ? AND checkpoint_ns = ? ORDER BY checkpoint_id DESC LIMIT 1",
            )
            .get(thread, ns)
    ) as CheckpointRow | undefined;
    return row ? this.toTuple(row) : undefined;
  }

  async *list(config: RunnableConfig, options: CheckpointListOptions = {}): AsyncGenerator<CheckpointTuple> {
    const { thread, id } = ids(config);
    const ns = config.configurable?.checkpoint_ns as string | undefined;
    const before = options.before?.configurable?.checkpoint_id as string | undefined;
    const conditions: Array<[string, string | undefined]> = [
      ["thread_id = ?", thread],
      ["checkpoint_ns = ?", ns],
      ["checkpoint_id = ?", id],
      ["checkpoint_id < ?", before],
    ];
    const used = conditions.filter((c): c is [string, string] => c[1] !== undefined);
    const where = used.map((c) => c[0]);
    const args = used.map((c) => c[1]);
    const sql = `SELECT * FROM quorum_checkpoints ${where.length ? `WHERE ${where.join(" AND ")}` : ""} ORDER BY checkpoint_id DESC`;
    let left = options.limit;
    for (const row of this.db.prepare(sql).iterate(...args) as IterableIterator<CheckpointRow>) {
      if (left !== undefined && left <= 0) return;
      if (options.filter) {
        const metadata = (await this.serde.loadsTyped(row.metadata_type, row.metadata)) as Record<
          string,
          unknown
        >;
        const filter = options.filter as Record<string, unknown>;
        if (!Object.entries(filter).every(([k, v]) => metadata?.[k] === v)) continue;
      }
      if (left !== undefined) left -= 1;
      yield await this.toTuple(row);
    }
  }

  async put(
    config: RunnableConfig,
    checkpoint: Checkpoint,
    metadata: CheckpointMetadata,
    newVersions: ChannelVersions,
  ): Promise<RunnableConfig> {
    const { thread, ns, id: parent } = ids(config);
    if (thread === undefined) throw new Error('put needs a "thread_id" in config.configurable');
    this.memo.forget(thread);
    const { channel_values: values, ...rest } = checkpoint;
    const blobs: Array<[string, string, string, Uint8Array | null]> = [];
    for (const [channel, version] of Object.entries(newVersions)) {
      if (!(channel in values)) continue;
      const [type, data] = await this.serde.dumpsTyped(values[channel as keyof typeof values]);
      blobs.push([channel, String(version), type, data]);
    }
    const [type, body] = await this.serde.dumpsTyped(rest satisfies StoredCheckpoint);
    const [metaType, meta] = await this.serde.dumpsTyped(metadata);
    const insertBlob = this.db.prepare(
      "INSERT OR REPLACE INTO quorum_checkpoint_blobs (thread_id, checkpoint_ns, channel, version, type, blob) VALUES (?, ?, ?, ?, ?, ?)",
    );
    const insertCheckpoint = this.db.prepare(
      "INSERT OR REPLACE INTO quorum_checkpoints (thread_id, checkpoint_ns, checkpoint_id, parent_id, type, checkpoint, metadata_type, metadata) VALUES (?, ?, ?, ?, ?, ?, ?, ?)",
    );
    this.db.transaction(() => {
      for (const [channel, version, t, data] of blobs) insertBlob.run(thread, ns, channel, version, t, data);
      insertCheckpoint.run(thread, ns, checkpoint.id, parent ?? null, type, body, metaType, meta);
    })();
    return { configurable: { thread_id: thread, checkpoint_ns: ns, checkpoint_id: checkpoint.id } };
  }

  async putWrites(
    config: RunnableConfig,
    writes: PendingWrite[],
    taskId: string,
    taskPath = "",
  ): Promise<void> {
    const { thread, ns, id } = ids(config);
    if (thread === undefined) throw new Error('putWrites needs a "thread_id" in config.configurable');
    if (id === undefined) throw new Error('putWrites needs a "checkpoint_id" in config.configurable');
    this.memo.forget(thread);
    const rows = await Promise.all(
      writes.map(async ([channel, value], idx) => {
        const [type, data] = await this.serde.dumpsTyped(value);
        return [WRITES_IDX_MAP[channel] ?? idx, channel, type, data] as const;
      }),
    );
    // Special writes (errors, interrupts) replace; a task's regular writes are stored once.
    const special = writes.every(([channel]) => channel in WRITES_IDX_MAP);
    const insert = this.db.prepare(
      `INSERT OR ${special ? "REPLACE" : "IGNORE"} INTO quorum_checkpoint_writes (thread_id, checkpoint_ns, checkpoint_id, task_id, idx, channel, type, blob, task_path) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)`,
    );
    this.db.transaction(() => {
      for (const [idx, channel, type, data] of rows)
        insert.run(thread, ns, id, taskId, idx, channel, type, data, taskPath);
    })();
  }

  async deleteThread(threadId: string): Promise<void> {
    this.memo.forget(threadId);
    this.db.transaction(() => {
      for (const table of ["quorum_checkpoints", "quorum_checkpoint_blobs", "quorum_checkpoint_writes"])
        this.db.prepare(`DELETE FROM ${table} WHERE thread_id = ?`).run(threadId);
    })();
  }

  /**
   * The writes of the target's ancestors (oldest first, each superstep in live order) for each
   * channel, from one query over the parent chain, and the nearest stored value as the seed.
   */
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
    if (channels.length === 0) return {};
    const target = await this.getTuple(options.config);
    const out: Record<string, DeltaChannelHistory> = {};
    for (const ch of channels) out[ch] = { writes: [] };
    const parent = target?.parentConfig ? ids(target.parentConfig) : undefined;
    if (!parent?.thread || !parent.id) return out;
    const chain = this.chain(parent.thread, parent.ns, parent.id);
    const seeds = await this.seeds(parent.thread, parent.ns, chain, channels);
    const at = { thread: parent.thread, ns: parent.ns, id: parent.id };
    const joined =
      seeds.size === 0 ? this.joinedWrites(at, channels) : new Map<string, DeltaChannelHistory>();
    const rest = channels.filter((ch) => !joined.has(ch));
    const rows = rest.length > 0 ? this.chainWrites(at, rest) : [];
    for (const ch of channels) {
      const seed = seeds.get(ch);
      // Writes older than the seed's checkpoint are already in the seed.
      const mine = rows.filter((r) => r.channel === ch && !(seed && r.depth > seed.depth));
      const history =
        joined.get(ch) ??
        (await historyOf(
          this.serde,
          ch,
          mine.map((r) => ({ taskId: r.task_id, type: r.type, data: r.blob })),
        ));
      out[ch] = seed ? { ...history, seed: seed.value } : history;
    }
    return out;
  }

  /**
   * Each channel's writes on the chain as one JSON array built by SQLite, in replay order (oldest
   * superstep first, each in live order), parsed once: for channels whose writes are all plain
   * JSON with no serialized record, the others are left out (read row by row).
   */
  private joinedWrites(
    at: { thread: string; ns: string; id: string },
    channels: string[],
  ): Map<string, DeltaChannelHistory> {
    const marks = channels.map(() => "?").join(", ");
    const order = "ORDER BY chain.depth DESC, w.task_path, w.task_id, w.idx";
    const rows = this.db
      .prepare(
        `${CHAIN}
         SELECT w.channel, SUM(w.type <> 'json') AS other, json_group_array(w.task_id ${order}) AS tasks,
           '[' || group_concat(CAST(w.blob AS TEXT), ',' ${order}) || ']' AS vals
         FROM chain JOIN quorum_checkpoint_writes w
           ON w.thread_id = ? AND w.checkpoint_ns = ? AND w.checkpoint_id = chain.id
         WHERE w.channel IN (${marks}) GROUP BY w.channel`,
      )
      .all(at.id, at.thread, at.ns, at.thread, at.ns, ...channels) as Array<{
      channel: string;
      other: number;
      tasks: string;
      vals: string;
    }>;
    const found = new Map<string, DeltaChannelHistory>(channels.map((ch) => [ch, { writes: [] }]));
    for (const row of rows) {
      if (row.other > 0 || row.vals.includes('"lc"')) {
        found.delete(row.channel);
        continue;
      }
      const tasks = JSON.parse(row.tasks) as string[];
      const values = JSON.parse(row.vals) as unknown[];
      found.set(row.channel, { writes: values.map((v, i) => [tasks[i] as string, row.channel, v]) });
    }
    return found;
  }

  /** The channels' writes on the chain, row by row, in replay order, with their depth. */
  private chainWrites(
    at: { thread: string; ns: string; id: string },
    channels: string[],
  ): Array<WriteRow & { depth: number }> {
    const marks = channels.map(() => "?").join(", ");
    return this.db
      .prepare(
        `${CHAIN}
         SELECT chain.depth AS depth, w.task_id, w.channel, w.type, w.blob FROM chain
         JOIN quorum_checkpoint_writes w ON w.thread_id = ? AND w.checkpoint_ns = ? AND w.checkpoint_id = chain.id
         WHERE w.channel IN (${marks})
         ORDER BY chain.depth DESC, w.task_path, w.task_id, w.idx`,
      )
      .all(at.id, at.thread, at.ns, at.thread, at.ns, ...channels) as Array<WriteRow & { depth: number }>;
  }

  /** Checkpoint ids from `id` up to the root, nearest first. */
  private chain(thread: string, ns: string, id: string): string[] {
    const rows = this.db
      .prepare(
        `${CHAIN}
         SELECT id FROM chain ORDER BY depth`,
      )
      .all(id, thread, ns) as Array<{ id: string }>;
    return rows.map((r) => r.id);
  }

  /**
   * For each channel, the value stored by the nearest ancestor on the chain (a snapshot, or a
   * plain value from before the channel was a delta channel), with its depth. Most threads have
   * none, which one indexed query shows without reading any checkpoint.
   */
  private async seeds(
    thread: string,
    ns: string,
    chain: string[],
    channels: string[],
  ): Promise<Map<string, { depth: number; value: unknown }>> {
    const found = new Map<string, { depth: number; value: unknown }>();
    const marks = channels.map(() => "?").join(", ");
    const stored = this.db
      .prepare(
        `SELECT channel, version, type, blob FROM quorum_checkpoint_blobs WHERE thread_id = ? AND checkpoint_ns = ? AND channel IN (${marks})`,
      )
      .all(thread, ns, ...channels) as Array<{
      channel: string;
      version: string;
      type: string;
      blob: Uint8Array;
    }>;
    if (stored.length === 0) return found;
    const byKey = new Map(stored.map((b) => [`${b.channel}\u0000${b.version}`, b]));
    const select = this.db.prepare(
      "SELECT type, checkpoint FROM quorum_checkpoints WHERE thread_id = ? AND checkpoint_ns = ? AND checkpoint_id = ?",
    );
    for (let depth = 0; depth < chain.length && found.size < channels.length; depth++) {
      const row = select.get(thread, ns, chain[depth]) as
        | { type: string; checkpoint: Uint8Array }
        | undefined;
      if (!row) break;
      const cp = (await this.serde.loadsTyped(row.type, row.checkpoint)) as StoredCheckpoint;
      for (const ch of channels) {
        if (found.has(ch)) continue;
        const version = cp.channel_versions[ch];
        const blob = version === undefined ? undefined : byKey.get(`${ch}\u0000${String(version)}`);
        if (blob) found.set(ch, { depth, value: await this.serde.loadsTyped(blob.type, blob.blob) });
      }
    }
    return found;
  }

  private async toTuple(row: CheckpointRow): Promise<CheckpointTuple> {
    const stored = (await this.serde.loadsTyped(row.type, row.checkpoint)) as StoredCheckpoint;
    const blobs = this.db.prepare(
      "SELECT type, blob FROM quorum_checkpoint_blobs WHERE thread_id = ? AND checkpoint_ns = ? AND channel = ? AND version = ?",
    );
    const values: Record<string, unknown> = {};
    for (const [channel, version] of Object.entries(stored.channel_versions)) {
      const b = blobs.get(row.thread_id, row.checkpoint_ns, channel, String(version)) as
        | { type: string; blob: Uint8Array }
        | undefined;
      if (b) values[channel] = await this.serde.loadsTyped(b.type, b.blob);
    }
    const writes = this.db
      .prepare(
        "SELECT task_id, channel, type, blob FROM quorum_checkpoint_writes WHERE thread_id = ? AND checkpoint_ns = ? AND checkpoint_id = ? ORDER BY task_path, task_id, idx",
      )
      .all(row.thread_id, row.checkpoint_ns, row.checkpoint_id) as WriteRow[];
    const pendingWrites: CheckpointPendingWrite[] = await Promise.all(
      writes.map(async (w) => [w.task_id, w.channel, await this.serde.loadsTyped(w.type, w.blob)] as const),
    );
    if (stored.v < 4 && row.parent_id) await this.migratePendingSends(row, stored, values);
    const configurable = {
      thread_id: row.thread_id,
      checkpoint_ns: row.checkpoint_ns,
      checkpoint_id: row.checkpoint_id,
    };
    return {
      config: { configurable },
      checkpoint: { ...stored, channel_values: values },
      metadata: (await this.serde.loadsTyped(row.metadata_type, row.metadata)) as CheckpointMetadata,
      pendingWrites,
      ...(row.parent_id
        ? { parentConfig: { configurable: { ...configurable, checkpoint_id: row.parent_id } } }
        : {}),
    };
  }

  /** Checkpoints before format 4 kept pending sends as the parent's writes: move them into the channel. */
  private async migratePendingSends(
    row: CheckpointRow,
    stored: StoredCheckpoint,
    values: Record<string, unknown>,
  ): Promise<void> {
    const sends = this.db
      .prepare(
        "SELECT type, blob FROM quorum_checkpoint_writes WHERE thread_id = ? AND checkpoint_ns = ? AND checkpoint_id = ? AND channel = ? ORDER BY task_path, task_id, idx",
      )
      .all(row.thread_id, row.checkpoint_ns, row.parent_id, TASKS) as Array<{
      type: string;
      blob: Uint8Array;
    }>;
    values[TASKS] = await Promise.all(sends.map((w) => this.serde.loadsTyped(w.type, w.blob)));
    const versions = Object.values(stored.channel_versions);
    stored.channel_versions[TASKS] =
      versions.length > 0 ? maxChannelVersion(...versions) : this.getNextVersion(undefined);
  }
}
