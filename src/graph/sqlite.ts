import { mkdirSync } from "node:fs";
import { dirname } from "node:path";
import Database from "better-sqlite3";
import { UserInputError } from "../core/index.js";
import { QuorumSqliteSaver } from "./saver-sqlite.js";
import { QUORUM_TABLES, type RunStore, type Sql, SqlRunStore, SqlToolJournal } from "./store.js";

export type { ThreadRecord } from "./store.js";

function openDatabase(path: string): Database.Database {
  try {
    if (path !== ":memory:") mkdirSync(dirname(path), { recursive: true });
    const db = new Database(path);
    db.pragma("journal_mode = WAL");
    // Two processes on one file (a resumer and a leaseholder) wait for each other's writes.
    db.pragma("busy_timeout = 5000");
    db.exec(QUORUM_TABLES);
    return db;
  } catch (error) {
    const code = (error as { code?: unknown }).code;
    throw new UserInputError(`cannot open the database file${typeof code === "string" ? ` (${code})` : ""}`, {
      file: path,
      field: "store",
      hint: "check the path and permissions, and that it is a SQLite database",
      cause: error,
    });
  }
}

/**
 * One SQLite file per deployment (the embedded default): LangGraph checkpoints (Quorum's saver,
 * linear in the run's length), the tool journal, the thread registry and thread leases.
 */
export class SqliteRunStore extends SqlRunStore implements RunStore {
  readonly kind = "sqlite" as const;
  readonly db: Database.Database;
  readonly checkpointer: QuorumSqliteSaver;
  readonly journal: SqlToolJournal;
  protected readonly sql: Sql;

  constructor(readonly path: string) {
    super();
    this.db = openDatabase(path);
    const db = this.db;
    this.sql = {
      async run(sql, params) {
        return db.prepare(sql).run(...params).changes;
      },
      async all<T>(sql: string, params: unknown[]) {
        return db.prepare(sql).all(...params) as T[];
      },
    };
    this.checkpointer = new QuorumSqliteSaver(this.db);
    this.journal = new SqlToolJournal(this.sql);
  }

  get location(): string {
    return this.path;
  }

  /** Closes the file (synchronously: callers that do not await it are fine). */
  async close(): Promise<void> {
    if (this.db.open) this.db.close();
  }
}
