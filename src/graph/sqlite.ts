import { mkdirSync } from "node:fs";
import { dirname } from "node:path";
import { SqliteSaver } from "@langchain/langgraph-checkpoint-sqlite";
import Database from "better-sqlite3";
import { UserInputError } from "../core/index.js";
import type { ToolJournal } from "./journal.js";
import { PlainJsonSerializer } from "./serde.js";

export interface ThreadRecord {
  threadId: string;
  runId: string;
  scenarioPath: string;
  scenarioText: string;
  createdAt: string;
  /** The model the run started with; null for a deterministic run. */
  model: string | null;
}

/**
 * One SQLite file per deployment: LangGraph checkpoints, the tool journal (so a resumed run
 * never repeats a side effect) and the thread registry (so `quorum resume` can rebuild the team).
 */
export class SqliteRunStore {
  readonly db: Database.Database;
  readonly checkpointer: SqliteSaver;
  readonly journal: ToolJournal;

  constructor(readonly path: string) {
    try {
      if (path !== ":memory:") mkdirSync(dirname(path), { recursive: true });
      this.db = new Database(path);
    } catch (error) {
      throw new UserInputError("cannot open the database file", {
        file: path,
        hint: "check the path and permissions",
        cause: error,
      });
    }
    this.db.pragma("journal_mode = WAL");
    this.db.exec(`
      CREATE TABLE IF NOT EXISTS quorum_threads (
        thread_id TEXT PRIMARY KEY, run_id TEXT NOT NULL, scenario_path TEXT NOT NULL,
        scenario_text TEXT NOT NULL, created_at TEXT NOT NULL, model TEXT);
      CREATE TABLE IF NOT EXISTS quorum_tool_journal (
        seq INTEGER PRIMARY KEY AUTOINCREMENT, idempotency_key TEXT NOT NULL, tool TEXT NOT NULL,
        result TEXT NOT NULL);
      CREATE INDEX IF NOT EXISTS quorum_tool_journal_key ON quorum_tool_journal (idempotency_key);
    `);
    this.checkpointer = new SqliteSaver(this.db, new PlainJsonSerializer());
    this.journal = new SqliteToolJournal(this.db);
  }

  saveThread(t: ThreadRecord): void {
    this.db
      .prepare(
        "INSERT INTO quorum_threads (thread_id, run_id, scenario_path, scenario_text, created_at, model) VALUES (?, ?, ?, ?, ?, ?)",
      )
      .run(t.threadId, t.runId, t.scenarioPath, t.scenarioText, t.createdAt, t.model);
  }

  loadThread(threadId: string): ThreadRecord | undefined {
    const row = this.db
      .prepare(
        "SELECT thread_id, run_id, scenario_path, scenario_text, created_at, model FROM quorum_threads WHERE thread_id = ?",
      )
      .get(threadId) as Record<string, string | null> | undefined;
    if (!row) return undefined;
    return {
      threadId: row.thread_id as string,
      runId: row.run_id as string,
      scenarioPath: row.scenario_path as string,
      scenarioText: row.scenario_text as string,
      createdAt: row.created_at as string,
      model: row.model ?? null,
    };
  }

  close(): void {
    this.db.close();
  }
}

/**
 * Executions of side-effecting tools, one row per execution (keys are not unique on purpose:
 * a repeated side effect would show up as a second row, which is what crash tests look for).
 */
class SqliteToolJournal implements ToolJournal {
  constructor(private readonly db: Database.Database) {}

  get(key: string): { tool: string; result: unknown } | undefined {
    const row = this.db
      .prepare("SELECT tool, result FROM quorum_tool_journal WHERE idempotency_key = ? ORDER BY seq LIMIT 1")
      .get(key) as { tool: string; result: string } | undefined;
    return row ? { tool: row.tool, result: JSON.parse(row.result) as unknown } : undefined;
  }

  put(key: string, tool: string, result: unknown): void {
    this.db
      .prepare("INSERT INTO quorum_tool_journal (idempotency_key, tool, result) VALUES (?, ?, ?)")
      .run(key, tool, JSON.stringify(result ?? null));
  }

  count(tool?: string): number {
    const row = (
      tool === undefined
        ? this.db.prepare("SELECT COUNT(*) AS n FROM quorum_tool_journal").get()
        : this.db.prepare("SELECT COUNT(*) AS n FROM quorum_tool_journal WHERE tool = ?").get(tool)
    ) as { n: number };
    return row.n;
  }
}
