import { readFileSync } from "node:fs";
import { hostname } from "node:os";
import type { BaseCheckpointSaver } from "@langchain/langgraph";
import { UserInputError } from "../core/index.js";
import type { JournalEntry, ToolJournal } from "./journal.js";

export interface ThreadRecord {
  threadId: string;
  runId: string;
  scenarioPath: string;
  scenarioText: string;
  createdAt: string;
  /** The model the run started with; null for a deterministic run. */
  model: string | null;
}

/** Who holds a thread's lease: a process on a host. */
export interface LeaseHolder {
  owner: string;
  expiresAt: number;
}

/**
 * Where Quorum keeps runs: LangGraph's checkpoints, the tool journal, the thread registry and
 * thread leases, all in one database (SQLite file or Postgres).
 */
export interface RunStore {
  readonly kind: "sqlite" | "postgres";
  /** The file, or host:port/database (never the password): for messages. */
  readonly location: string;
  readonly checkpointer: BaseCheckpointSaver;
  readonly journal: ToolJournal;
  /** Registers a new thread; false when the id is taken (nothing is written then). */
  createThread(t: ThreadRecord): Promise<boolean>;
  loadThread(threadId: string): Promise<ThreadRecord | undefined>;
  /**
   * Takes the thread's lease for `owner` until now + ttlMs, if it is free, expired, already this
   * owner's, or held by a process of this host that no longer runs. Else returns who holds it.
   */
  acquireLease(threadId: string, owner: string, ttlMs: number): Promise<LeaseHolder | undefined>;
  /** Extends the lease; false when `owner` no longer holds it. */
  renewLease(threadId: string, owner: string, ttlMs: number): Promise<boolean>;
  releaseLease(threadId: string, owner: string): Promise<void>;
  close(): Promise<void>;
}

/** The few statements the stores need, with `?` placeholders, whichever the database. */
export interface Sql {
  run(sql: string, params: unknown[]): Promise<number>;
  all<T>(sql: string, params: unknown[]): Promise<T[]>;
}

export const QUORUM_TABLES = `
CREATE TABLE IF NOT EXISTS quorum_threads (
  thread_id TEXT PRIMARY KEY, run_id TEXT NOT NULL, scenario_path TEXT NOT NULL,
  scenario_text TEXT NOT NULL, created_at TEXT NOT NULL, model TEXT);
CREATE TABLE IF NOT EXISTS quorum_tool_journal (
  idempotency_key TEXT PRIMARY KEY, tool TEXT NOT NULL, state TEXT NOT NULL, result TEXT,
  failed INTEGER NOT NULL DEFAULT 0, attempts INTEGER NOT NULL DEFAULT 1);
CREATE TABLE IF NOT EXISTS quorum_thread_leases (
  thread_id TEXT PRIMARY KEY, owner TEXT NOT NULL, expires_at BIGINT NOT NULL);
`;

/** This process's lease owner id: host, pid and a random tag (pids are reused). */
export function leaseOwner(): string {
  return `${hostname()}:${process.pid}:${Math.random().toString(36).slice(2, 8)}`;
}

/** Whether an owner id names a process of this host that is gone (its lease can be taken). */
export function ownerIsGone(owner: string): boolean {
  const [host, pid] = owner.split(":");
  if (host !== hostname() || !pid || !/^\d+$/.test(pid)) return false;
  // Another team of this very process: alive.
  if (Number(pid) === process.pid) return false;
  try {
    process.kill(Number(pid), 0);
  } catch (error) {
    return (error as NodeJS.ErrnoException).code === "ESRCH";
  }
  return isZombie(Number(pid));
}

/** A killed process nobody has reaped yet still answers signals: on Linux, /proc tells. */
function isZombie(pid: number): boolean {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, "utf8");
    return stat.slice(stat.lastIndexOf(")") + 2, stat.lastIndexOf(")") + 3) === "Z";
  } catch {
    return false;
  }
}

interface JournalRow {
  idempotency_key: string;
  tool: string;
  state: string;
  result: string | null;
  failed: number | string;
  attempts: number | string;
}

/** The tool journal on a SQL table with a unique key. */
export class SqlToolJournal implements ToolJournal {
  constructor(private readonly sql: Sql) {}

  async get(key: string): Promise<JournalEntry | undefined> {
    const [row] = await this.sql.all<JournalRow>(
      "SELECT idempotency_key, tool, state, result, failed, attempts FROM quorum_tool_journal WHERE idempotency_key = ?",
      [key],
    );
    if (!row) return undefined;
    return {
      key: row.idempotency_key,
      tool: row.tool,
      state: row.state === "done" ? "done" : "started",
      ...(row.result !== null ? { result: JSON.parse(row.result) as unknown } : {}),
      failed: Number(row.failed) === 1,
      attempts: Number(row.attempts),
    };
  }

  async begin(key: string, tool: string): Promise<JournalEntry | undefined> {
    const inserted = await this.sql.run(
      "INSERT INTO quorum_tool_journal (idempotency_key, tool, state) VALUES (?, ?, 'started') ON CONFLICT (idempotency_key) DO NOTHING",
      [key, tool],
    );
    return inserted === 1 ? undefined : this.get(key);
  }

  async retry(key: string): Promise<void> {
    await this.sql.run("UPDATE quorum_tool_journal SET attempts = attempts + 1 WHERE idempotency_key = ?", [
      key,
    ]);
  }

  async finish(key: string, result: unknown, failed = false): Promise<void> {
    await this.sql.run(
      "UPDATE quorum_tool_journal SET state = 'done', result = ?, failed = ? WHERE idempotency_key = ?",
      [JSON.stringify(result ?? null), failed ? 1 : 0, key],
    );
  }

  async count(tool?: string): Promise<number> {
    const [row] =
      tool === undefined
        ? await this.sql.all<{ n: number | string | null }>(
            "SELECT SUM(attempts) AS n FROM quorum_tool_journal",
            [],
          )
        : await this.sql.all<{ n: number | string | null }>(
            "SELECT SUM(attempts) AS n FROM quorum_tool_journal WHERE tool = ?",
            [tool],
          );
    return Number(row?.n ?? 0);
  }
}

interface ThreadRow {
  thread_id: string;
  run_id: string;
  scenario_path: string;
  scenario_text: string;
  created_at: string;
  model: string | null;
}

/** The thread registry and leases on SQL tables; the store classes add the connection. */
export abstract class SqlRunStore implements Omit<RunStore, "kind" | "location" | "checkpointer" | "close"> {
  abstract readonly journal: ToolJournal;
  protected abstract readonly sql: Sql;

  async createThread(t: ThreadRecord): Promise<boolean> {
    const n = await this.sql.run(
      "INSERT INTO quorum_threads (thread_id, run_id, scenario_path, scenario_text, created_at, model) VALUES (?, ?, ?, ?, ?, ?) ON CONFLICT (thread_id) DO NOTHING",
      [t.threadId, t.runId, t.scenarioPath, t.scenarioText, t.createdAt, t.model],
    );
    return n === 1;
  }

  async loadThread(threadId: string): Promise<ThreadRecord | undefined> {
    const [row] = await this.sql.all<ThreadRow>(
      "SELECT thread_id, run_id, scenario_path, scenario_text, created_at, model FROM quorum_threads WHERE thread_id = ?",
      [threadId],
    );
    if (!row) return undefined;
    return {
      threadId: row.thread_id,
      runId: row.run_id,
      scenarioPath: row.scenario_path,
      scenarioText: row.scenario_text,
      createdAt: row.created_at,
      model: row.model ?? null,
    };
  }

  async acquireLease(threadId: string, owner: string, ttlMs: number): Promise<LeaseHolder | undefined> {
    const now = Date.now();
    const [held] = await this.sql.all<{ owner: string; expires_at: number | string }>(
      "SELECT owner, expires_at FROM quorum_thread_leases WHERE thread_id = ?",
      [threadId],
    );
    // A dead process of this host cannot renew: its lease is taken now, not when it expires.
    const stale = held !== undefined && held.owner !== owner && ownerIsGone(held.owner);
    const taken = await this.sql.run(
      `INSERT INTO quorum_thread_leases (thread_id, owner, expires_at) VALUES (?, ?, ?)
       ON CONFLICT (thread_id) DO UPDATE SET owner = excluded.owner, expires_at = excluded.expires_at
       WHERE quorum_thread_leases.expires_at < ? OR quorum_thread_leases.owner = excluded.owner
          OR quorum_thread_leases.owner = ?`,
      [threadId, owner, now + ttlMs, now, stale ? held.owner : owner],
    );
    if (taken === 1) return undefined;
    const [holder] = await this.sql.all<{ owner: string; expires_at: number | string }>(
      "SELECT owner, expires_at FROM quorum_thread_leases WHERE thread_id = ?",
      [threadId],
    );
    return { owner: holder?.owner ?? "unknown", expiresAt: Number(holder?.expires_at ?? 0) };
  }

  async renewLease(threadId: string, owner: string, ttlMs: number): Promise<boolean> {
    const n = await this.sql.run(
      "UPDATE quorum_thread_leases SET expires_at = ? WHERE thread_id = ? AND owner = ?",
      [Date.now() + ttlMs, threadId, owner],
    );
    return n === 1;
  }

  async releaseLease(threadId: string, owner: string): Promise<void> {
    await this.sql.run("DELETE FROM quorum_thread_leases WHERE thread_id = ? AND owner = ?", [
      threadId,
      owner,
    ]);
  }
}

/** The error a second resumer gets: the thread and who holds it. */
export function leaseConflict(threadId: string, holder: LeaseHolder, location: string): UserInputError {
  const left = Math.max(0, Math.ceil((holder.expiresAt - Date.now()) / 1000));
  return new UserInputError(`thread ${threadId} is being run by ${holder.owner}`, {
    file: location,
    hint: `wait for it to finish (its lease expires in ${left}s unless renewed), or stop that process`,
  });
}

export const LEASE_TTL_MS = 30_000;

/**
 * Runs `fn` holding the thread's lease: taken before (or a clear error naming the holder),
 * renewed a third of the way to its expiry while `fn` runs, released after.
 */
export async function withThreadLease<T>(
  store: RunStore,
  threadId: string,
  fn: () => Promise<T>,
  ttlMs = LEASE_TTL_MS,
): Promise<T> {
  const owner = leaseOwner();
  const holder = await store.acquireLease(threadId, owner, ttlMs);
  if (holder) throw leaseConflict(threadId, holder, store.location);
  const timer = setInterval(
    () => {
      store.renewLease(threadId, owner, ttlMs).catch(() => undefined);
    },
    Math.max(50, Math.floor(ttlMs / 3)),
  );
  timer.unref();
  try {
    return await fn();
  } finally {
    clearInterval(timer);
    await store.releaseLease(threadId, owner).catch(() => undefined);
  }
}
