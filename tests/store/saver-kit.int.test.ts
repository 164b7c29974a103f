import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { validate } from "@langchain/langgraph-checkpoint-validation";
import Database from "better-sqlite3";
import pg from "pg";
import * as vitest from "vitest";
import { QuorumPostgresSaver } from "../../src/graph/postgres.js";
import { QuorumSqliteSaver } from "../../src/graph/saver-sqlite.js";
import { freshDatabase, POSTGRES_SKIP_REASON, POSTGRES_URL, requirePostgresInCi } from "./postgres.js";

/**
 * LangGraph's own checkpointer conformance kit, on every saver Quorum writes or wraps: its SQLite
 * saver, and the official Postgres saver with Quorum's task paths and history query.
 */
// The kit calls the test functions as globals.
Object.assign(globalThis, {
  afterAll: vitest.afterAll,
  afterEach: vitest.afterEach,
  beforeAll: vitest.beforeAll,
  beforeEach: vitest.beforeEach,
  describe: vitest.describe,
  expect: vitest.expect,
  it: vitest.it,
  test: vitest.test,
});

const dir = mkdtempSync(join(tmpdir(), "quorum-kit-"));
vitest.afterAll(() => rmSync(dir, { recursive: true, force: true }));
let n = 0;
const sqliteFiles = new Map<QuorumSqliteSaver, Database.Database>();

validate({
  checkpointerName: "QuorumSqliteSaver",
  createCheckpointer() {
    const db = new Database(join(dir, `kit-${n++}.db`));
    const saver = new QuorumSqliteSaver(db);
    sqliteFiles.set(saver, db);
    return saver;
  },
  destroyCheckpointer(saver) {
    sqliteFiles.get(saver)?.close();
    sqliteFiles.delete(saver);
  },
});

requirePostgresInCi();
if (POSTGRES_URL) {
  let database: Awaited<ReturnType<typeof freshDatabase>> | undefined;
  const pools = new Map<QuorumPostgresSaver, pg.Pool>();
  validate({
    checkpointerName: "QuorumPostgresSaver",
    beforeAllTimeout: 30_000,
    async beforeAll() {
      database = await freshDatabase("quorum_kit");
    },
    async afterAll() {
      await database?.drop();
    },
    async createCheckpointer() {
      const pool = new pg.Pool({ connectionString: database?.url });
      const saver = new QuorumPostgresSaver(pool);
      await saver.setup();
      // One saver lives at a time: each starts on empty tables.
      await pool.query("TRUNCATE checkpoints, checkpoint_blobs, checkpoint_writes, quorum_write_paths");
      pools.set(saver, pool);
      return saver;
    },
    async destroyCheckpointer(saver) {
      await pools.get(saver)?.end();
      pools.delete(saver);
    },
  });
} else {
  vitest.describe.skip(`QuorumPostgresSaver conformance (${POSTGRES_SKIP_REASON})`, () => {
    vitest.it("needs Postgres", () => undefined);
  });
}
