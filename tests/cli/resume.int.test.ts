import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import Database from "better-sqlite3";
import pg from "pg";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { freshDatabase, POSTGRES_SKIP_REASON, POSTGRES_URL, requirePostgresInCi } from "../store/postgres.js";
import { cli, runAndKill } from "./helpers.js";

requirePostgresInCi();
const dir = mkdtempSync(join(tmpdir(), "quorum-kill-"));
let database: Awaited<ReturnType<typeof freshDatabase>> | undefined;
beforeAll(async () => {
  if (POSTGRES_URL) database = await freshDatabase("quorum_kill");
}, 30_000);
afterAll(async () => {
  await database?.drop();
  rmSync(dir, { recursive: true, force: true });
});

interface JournalRow {
  key: string;
  attempts: number;
  state: string;
}

/**
 * The resumed run ends as the clean run did, or, when the kill landed inside a side-effecting
 * call (after its intent was recorded, before its result), fails naming that call, which the
 * scenario's tools (not declared idempotent) must not run again. Returns the unresolved key.
 */
function expectResumed(
  r: { code: number | null; stdout: string; stderr: string },
  answer?: string,
): string | null {
  const result = JSON.parse(r.stdout) as { finalAnswer: string; status: string; reason: string | null };
  const unresolved = /call (\S+) started before an interruption/.exec(result.reason ?? "")?.[1] ?? null;
  if (unresolved) {
    expect(r.code).toBe(1);
    expect(result.status).toBe("failed");
    return unresolved;
  }
  expect(r.code, r.stderr).toBe(0);
  expect(result.status).toBe("finished");
  expect(result.finalAnswer).toBe(answer);
  return null;
}

function clean(scenario: string): string {
  const r = cli(["run", scenario, "--json", "--out", dir]);
  return (JSON.parse(r.stdout) as { finalAnswer: string }).finalAnswer;
}

/**
 * SIGKILL a checkpointed run after k progress lines, for every k across the scenario, then
 * resume it: same final answer, and no side-effecting tool executed twice.
 */
describe("crash safety", () => {
  // k counts progress lines (one per graph node). Every k is below the scenario's node count, so
  // each case really is a kill (asserted below), not a run that finished before the signal.
  const cases: Array<[string, number]> = [];
  for (let k = 1; k <= 10; k++) cases.push(["scenarios/incident-response.yaml", k]);
  for (let k = 1; k <= 11; k++) cases.push(["scenarios/vendor-check.yaml", k]);
  for (let k = 1; k <= 5; k++) cases.push(["scenarios/canary-support.yaml", k]);

  const expected = new Map<string, string>();

  it.each(cases)("%s killed after %i nodes resumes to the same answer", async (scenario, k) => {
    if (!expected.has(scenario)) expected.set(scenario, clean(scenario));
    const db = join(dir, `k${k}-${scenario.replace(/\W/g, "")}.db`);
    const thread = `kill-${k}`;
    const { killed, stderr } = await runAndKill(
      ["run", scenario, "--db", db, "--thread", thread, "--out", dir],
      k,
    );
    expect(killed, `the process ended before the kill point:\n${stderr}`).toBe(true);
    const r = cli(["resume", thread, "--db", db, "--json", "--out", dir]);
    const unresolved = expectResumed(r, expected.get(scenario));
    const sqlite = new Database(db, { readonly: true });
    try {
      const rows = sqlite
        .prepare("SELECT idempotency_key AS key, attempts, state FROM quorum_tool_journal")
        .all() as JournalRow[];
      expectOnce(rows, scenario, unresolved);
    } finally {
      sqlite.close();
    }
  });
});

/**
 * Every side-effecting call started once; the incident and canary scenarios have exactly one, and
 * an unresolved one is the call the resumed run named, left started.
 */
function expectOnce(rows: JournalRow[], scenario: string, unresolved: string | null): void {
  for (const row of rows) expect(Number(row.attempts), row.key).toBe(1);
  if (scenario.includes("incident")) expect(rows).toHaveLength(1); // page_team, exactly once
  if (scenario.includes("canary-support")) expect(rows).toHaveLength(1); // book_courier, exactly once
  for (const row of rows) expect(row.state, row.key).toBe(row.key === unresolved ? "started" : "done");
}

/** The same kills on Postgres (`--store postgres://...`), on the scenarios with side effects. */
const onPostgres = POSTGRES_URL ? describe : describe.skip;
onPostgres(`crash safety on Postgres${POSTGRES_URL ? "" : ` (${POSTGRES_SKIP_REASON})`}`, () => {
  const cases: Array<[string, number]> = [];
  for (let k = 1; k <= 10; k += 3) cases.push(["scenarios/incident-response.yaml", k]);
  for (let k = 1; k <= 5; k += 2) cases.push(["scenarios/canary-support.yaml", k]);
  const expected = new Map<string, string>();

  it.each(cases)("%s killed after %i nodes resumes to the same answer", async (scenario, k) => {
    if (!expected.has(scenario)) expected.set(scenario, clean(scenario));
    const url = database?.url as string;
    const thread = `pg-kill-${k}-${scenario.replace(/\W/g, "")}`;
    const { killed, stderr } = await runAndKill(
      ["run", scenario, "--store", url, "--thread", thread, "--out", dir],
      k,
    );
    expect(killed, `the process ended before the kill point:\n${stderr}`).toBe(true);
    const r = cli(["resume", thread, "--store", url, "--json", "--out", dir]);
    const unresolved = expectResumed(r, expected.get(scenario));
    const client = new pg.Client({ connectionString: url });
    await client.connect();
    try {
      // Keys are namespaced by run id, which the thread id gives: this thread's calls only.
      const runId = thread.replace(/^thread-/, "run-");
      const { rows } = await client.query<JournalRow>(
        "SELECT idempotency_key AS key, attempts, state FROM quorum_tool_journal WHERE idempotency_key LIKE $1",
        [`${runId}:%`],
      );
      expectOnce(rows, scenario, unresolved);
    } finally {
      await client.end();
    }
  });
});
