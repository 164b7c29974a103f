// Issue 21 points 5 and 9, in-process: one id rule, run files that are complete or absent with no
// temporary file left, database failures reported as the database file's, seqs that never repeat.
import { mkdirSync, mkdtempSync, readdirSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import Database from "better-sqlite3";
import { afterAll, describe, expect, it } from "vitest";
import { databaseError } from "../../src/cli/db-errors.js";
import {
  checkId,
  EventLog,
  isSafeId,
  QuorumError,
  RUN_FILE_FORMAT,
  type RunFile,
} from "../../src/core/index.js";
import { assertWritableDir, writeRunFile } from "../../src/graph/runfile.js";
import { smallTeam } from "../graph/fixtures.js";

const dir = mkdtempSync(join(tmpdir(), "quorum-ids-"));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

function runFile(runId: string): RunFile {
  return {
    format: RUN_FILE_FORMAT,
    version: 1,
    runId,
    threadId: runId,
    task: "t",
    status: "finished",
    finalAnswer: null,
    agents: [],
    items: [],
    events: [],
    verdicts: [],
    usage: { modelCalls: 0, inputTokens: 0, outputTokens: 0, byAgent: {} },
    includesPrivate: false,
  };
}

function refusal(fn: () => unknown): QuorumError {
  try {
    fn();
  } catch (error) {
    expect(error).toBeInstanceOf(QuorumError);
    return error as QuorumError;
  }
  throw new Error("expected a refusal");
}

describe("one id rule", () => {
  const unsafe = [
    "",
    "../package",
    "a/b",
    "a\\b",
    ".hidden",
    "..",
    "-flag",
    "a b",
    "tab\tid",
    "ünï",
    "\u200bzw",
    "x".repeat(129),
  ];
  const safe = ["thread-abc123", "run-1", "Kill_3", "v1.2", "a", "x".repeat(128)];
  it("accepts the safe set and nothing else", () => {
    for (const id of safe) expect(isSafeId(id), id).toBe(true);
    for (const id of unsafe) expect(isSafeId(id), JSON.stringify(id)).toBe(false);
    const e = refusal(() => checkId("../package", { field: "--thread", what: "thread id" }));
    expect(e.code).toBe("user_input");
    expect(e.toLine()).toMatch(/^error\[user_input\] --thread: thread id "\.\.\/package" is not a safe id/);
  });

  it("a run id never becomes a path outside --out", () => {
    const out = join(dir, "runs");
    mkdirSync(out);
    writeFileSync(join(dir, "package.json"), "sentinel");
    const e = refusal(() => writeRunFile(out, runFile("../package")));
    expect(e.field).toBe("runId");
    expect(readdirSync(dir).sort()).toEqual(["package.json", "runs"]);
    expect(readdirSync(out)).toEqual([]);
  });

  it("the SDK refuses unsafe thread ids on run and resume", async () => {
    const team = smallTeam();
    await expect(team.run("x", { threadId: "../x" })).rejects.toThrow(/not a safe id/);
    await expect(team.resume("a/b")).rejects.toThrow(/not a safe id/);
  });
});

describe("run files: complete or absent, never a .tmp left behind", () => {
  it("a write that fails removes its temporary file and names the file", () => {
    const out = join(dir, "blocked");
    mkdirSync(out);
    // The final name is taken by a folder: the rename fails after the temporary file was written.
    mkdirSync(join(out, "run-x.json"));
    const e = refusal(() => writeRunFile(out, runFile("run-x")));
    expect(e.code).toBe("user_input");
    expect(e.field).toBe("--out");
    expect(e.file).toContain("run-x.json");
    expect(readdirSync(out)).toEqual(["run-x.json"]);
  });

  it("an --out that is not a folder is refused up front, leaving nothing", () => {
    const file = join(dir, "plain-file");
    writeFileSync(file, "x");
    const e = refusal(() => assertWritableDir(join(file, "runs")));
    expect(e.field).toBe("--out");
    const ok = join(dir, "fine");
    assertWritableDir(ok);
    expect(readdirSync(ok)).toEqual([]);
  });
});

describe("database failures are the database file's, exit 2", () => {
  const real = (fn: () => void): unknown => {
    try {
      fn();
    } catch (error) {
      return error;
    }
    throw new Error("expected SQLite to fail");
  };

  it("not SQLite, read-only, full, locked", () => {
    const text = join(dir, "text.db");
    writeFileSync(text, "plain text, not a database\n".repeat(40));
    const notDb = real(() => new Database(text).pragma("journal_mode = WAL"));
    const good = join(dir, "good.db");
    new Database(good).exec("CREATE TABLE t (x TEXT)");
    const ro = new Database(good, { readonly: true });
    const readOnly = real(() => ro.exec("INSERT INTO t VALUES ('x')"));
    ro.close();
    const small = new Database(join(dir, "small.db"));
    small.exec("CREATE TABLE t (x TEXT)");
    small.pragma("max_page_count = 3");
    const full = real(() => {
      for (let i = 0; i < 100; i++) small.prepare("INSERT INTO t VALUES (?)").run("y".repeat(4000));
    });
    small.close();
    const holder = new Database(good);
    holder.exec("BEGIN EXCLUSIVE");
    const other = new Database(good, { timeout: 0 });
    const locked = real(() => other.exec("INSERT INTO t VALUES ('z')"));
    other.close();
    holder.exec("ROLLBACK");
    holder.close();
    for (const [error, words] of [
      [notDb, "not a SQLite database"],
      [readOnly, "read-only"],
      [full, "full"],
      [locked, "locked by another process"],
    ] as const) {
      const mapped = databaseError(error, "runs.db");
      expect(mapped, String(error)).toBeInstanceOf(QuorumError);
      expect(mapped?.exitCode).toBe(2);
      expect(mapped?.toLine()).toContain("runs.db: --db:");
      expect(mapped?.message).toContain(words);
    }
    // Wrapped by another layer, it is still found; anything else is left alone.
    expect(databaseError(new Error("outer", { cause: full }), "f")).toBeInstanceOf(QuorumError);
    expect(databaseError(new Error("a bug"), "f")).toBeUndefined();
  });
});

describe("event seqs never repeat after a resume", () => {
  it("a rebuilt log numbers on after its snapshot and after writes saved outside it", () => {
    const log = new EventLog();
    for (let i = 0; i < 5; i++) log.record({ type: "status", runId: "r", step: 0, status: "started" });
    const events = log.snapshot().events.slice(0, 3);
    const resumed = EventLog.fromSnapshot({ items: [], events }, { nextSeq: 5 });
    expect(resumed.record({ type: "status", runId: "r", step: 1, status: "started" }).seq).toBe(5);
    const plain = EventLog.fromSnapshot({ items: [], events: [events[0]!, events[2]!] });
    expect(plain.record({ type: "status", runId: "r", step: 1, status: "started" }).seq).toBe(3);
  });
});

describe("resume with a decision on a thread that is not waiting", () => {
  it("is refused, not silently ignored", async () => {
    const team = smallTeam();
    const done = await team.run("x", { threadId: "finished-1" });
    expect(done.status).toBe("finished");
    await expect(team.resume("finished-1", { action: "approve" })).rejects.toThrow(
      /not waiting for approval/,
    );
  });
});
