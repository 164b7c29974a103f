import { mkdtempSync, readFileSync, rmSync } from "node:fs";
import { createServer } from "node:net";
import { tmpdir } from "node:os";
import { join, resolve } from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { SqliteRunStore } from "../../src/graph/index.js";
import { cli } from "../cli/helpers.js";
import { POSTGRES_SKIP_REASON, POSTGRES_URL } from "./postgres.js";

const dir = mkdtempSync(join(tmpdir(), "quorum-cli-store-"));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

/** A local port nothing listens on. */
async function closedPort(): Promise<number> {
  const server = createServer();
  await new Promise<void>((r) => server.listen(0, "127.0.0.1", r));
  const { port } = server.address() as { port: number };
  await new Promise<void>((r) => server.close(() => r()));
  return port;
}

function expectOneLineError(r: { code: number | null; stderr: string }, ...parts: RegExp[]): void {
  expect(r.code).toBe(2);
  const lines = r.stderr.trim().split("\n");
  expect(lines, r.stderr).toHaveLength(1);
  expect(lines[0]).not.toMatch(/\n\s+at /);
  for (const p of parts) expect(lines[0]).toMatch(p);
}

describe("stores from the CLI", () => {
  it("resumes a thread killed after it was registered and before its first checkpoint", async () => {
    const db = join(dir, "stuck.db");
    const scenario = "scenarios/vendor-check.yaml";
    const store = new SqliteRunStore(db);
    await store.createThread({
      threadId: "stuck",
      runId: "run-stuck",
      scenarioPath: resolve(scenario),
      scenarioText: readFileSync(scenario, "utf8"),
      createdAt: new Date().toISOString(),
      model: null,
    });
    await store.close();
    const r = cli(["resume", "stuck", "--db", db, "--json", "--out", dir]);
    expect(r.code, r.stderr).toBe(0);
    expect((JSON.parse(r.stdout) as { status: string }).status).toBe("finished");
    const again = cli(["run", scenario, "--db", db, "--thread", "stuck", "--out", dir]);
    expectOneLineError(again, /thread stuck already exists/, /quorum resume stuck/);
  });

  it("says which Postgres is down, with a hint, exit 2 and no stack trace", async () => {
    const port = await closedPort();
    const url = `postgres://quorum:secret-pw@127.0.0.1:${port}/quorum`;
    const r = cli(["run", "scenarios/vendor-check.yaml", "--store", url, "--out", dir]);
    expectOneLineError(r, new RegExp(`127\\.0\\.0\\.1:${port}/quorum`), /ECONNREFUSED/, /hint: /);
    expect(r.stderr).not.toContain("secret-pw");
    const viaEnv = cli(["resume", "t", "--out", dir], { env: { QUORUM_STORE: url } });
    expectOneLineError(viaEnv, new RegExp(`127\\.0\\.0\\.1:${port}`));
  });

  it("asks for a store when resume has none", () => {
    const r = cli(["resume", "t", "--out", dir], { env: { QUORUM_STORE: "" } });
    expectOneLineError(r, /resume needs the store/, /--store/);
  });

  const withPostgres = POSTGRES_URL ? it : it.skip;
  withPostgres(`says the password was refused${POSTGRES_URL ? "" : ` (${POSTGRES_SKIP_REASON})`}`, () => {
    const url = new URL(POSTGRES_URL as string);
    url.password = "not-the-password";
    const r = cli(["run", "scenarios/vendor-check.yaml", "--store", url.toString(), "--out", dir]);
    expectOneLineError(r, /28P01/, /password was refused/, new RegExp(`${url.hostname}:${url.port}`));
    expect(r.stderr).not.toContain("not-the-password");
  });

  withPostgres(
    `runs and resumes a scenario on Postgres${POSTGRES_URL ? "" : ` (${POSTGRES_SKIP_REASON})`}`,
    () => {
      const thread = `cli-pg-${Math.random().toString(36).slice(2, 8)}`;
      const store = POSTGRES_URL as string;
      const run = cli([
        "run",
        "scenarios/vendor-check.yaml",
        "--store",
        store,
        "--thread",
        thread,
        "--json",
        "--out",
        dir,
      ]);
      expect(run.code, run.stderr).toBe(0);
      const first = JSON.parse(run.stdout) as { status: string; finalAnswer: string };
      const again = cli(["resume", thread, "--json", "--out", dir], { env: { QUORUM_STORE: store } });
      expect(again.code, again.stderr).toBe(0);
      expect(JSON.parse(again.stdout)).toMatchObject({
        status: first.status,
        finalAnswer: first.finalAnswer,
      });
    },
  );
});
