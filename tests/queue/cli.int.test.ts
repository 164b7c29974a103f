import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { MagpieReport } from "../../src/eval/magpie/report.js";
import type { BatchStatus } from "../../src/queue/index.js";
import { startTestServer, type TestServer } from "../../src/testing/index.js";
import { cliAsync } from "../cli/helpers.js";
import { freshDatabase, POSTGRES_SKIP_REASON, POSTGRES_URL, requirePostgresInCi } from "../store/postgres.js";
import { NO_MODEL, negotiationResponder, spawnCli } from "./helpers.js";

/**
 * `quorum eval magpie --queue`, `quorum worker`, `quorum eval status` and `quorum eval report` as a
 * user runs them: separate processes on a real Postgres, agents on a local OpenAI-compatible server.
 */
requirePostgresInCi();
const ROWS = "tests/magpie/fixtures/rows.jsonl";
let database: Awaited<ReturnType<typeof freshDatabase>> | undefined;
let server: TestServer | undefined;
beforeAll(async () => {
  server = await startTestServer({ defaultReply: negotiationResponder(20) });
  if (POSTGRES_URL) database = await freshDatabase("quorum_queue_cli");
}, 60_000);
afterAll(async () => {
  await server?.close();
  await database?.drop();
});

const url = () => database?.url as string;
const modelArgs = () => ["--data", ROWS, "--model", "test-model", "--base-url", server?.url as string];
const env = { ...NO_MODEL, QUORUM_MODEL_MAX_RETRIES: "0" };

async function enqueue(extra: string[] = []): Promise<string> {
  const r = await cliAsync(
    ["eval", "magpie", ...modelArgs(), "--rounds", "2", "--queue", url(), ...extra],
    env,
  );
  expect(r.code, r.stderr).toBe(0);
  const batch = r.stdout.trim();
  expect(batch).toMatch(/^batch_[a-z0-9]+$/);
  return batch;
}

async function status(batch: string): Promise<BatchStatus> {
  const r = await cliAsync(["eval", "status", batch, "--queue", url(), "--json"], env);
  expect(r.code, r.stderr).toBe(0);
  return JSON.parse(r.stdout) as BatchStatus;
}

async function localReport(): Promise<MagpieReport> {
  const r = await cliAsync(["eval", "magpie", ...modelArgs(), "--rounds", "2", "--json", "--quiet"], env);
  expect(r.code, r.stderr).toBe(0);
  return JSON.parse(r.stdout) as MagpieReport;
}

const suite = POSTGRES_URL ? describe : describe.skip;
suite(`batches on the queue, end to end${POSTGRES_URL ? "" : ` (${POSTGRES_SKIP_REASON})`}`, () => {
  it("enqueue, two workers, report: the same JSON report as a local run of the same batch", async () => {
    const batch = await enqueue();
    expect(await status(batch)).toMatchObject({ units: 3, done: 0, queued: 3 });
    const workers = [1, 2].map(() =>
      cliAsync(["worker", "--queue", url(), "--drain", "--concurrency", "2", "--idle-poll-ms", "50"], env),
    );
    for (const w of await Promise.all(workers)) expect(w.code, w.stderr).toBe(0);
    expect(await status(batch)).toMatchObject({ units: 3, done: 3, failed: 0, running: 0, queued: 0 });
    const r = await cliAsync(["eval", "report", batch, "--queue", url(), "--json"], env);
    expect(r.code, r.stderr).toBe(0);
    const report = JSON.parse(r.stdout) as MagpieReport;
    const local = await localReport();
    expect(report).toEqual(local);
    expect(report.mode).toBe("model");
    expect(report.overall.modelCalls).toBeGreaterThan(0);
    // The text report is the local one too.
    const text = await cliAsync(["eval", "report", batch, "--queue", url()], env);
    const localText = await cliAsync(["eval", "magpie", ...modelArgs(), "--rounds", "2", "--quiet"], env);
    expect(text.stdout).toBe(localText.stdout);
  });

  it("a worker killed by SIGKILL mid-job: the job is retried elsewhere after its lease and counted once", async () => {
    const batch = await enqueue(["--lease", "3"]);
    const before = server?.stats.chatRequests ?? 0;
    // The first worker dies on its first model call, inside its first unit.
    let killed = false;
    const first = spawnCli(["worker", "--queue", url(), "--lease-check", "1"], env);
    await new Promise<void>((resolve) => {
      const tick = setInterval(() => {
        if ((server?.stats.chatRequests ?? 0) > before) {
          clearInterval(tick);
          killed = first.child.kill("SIGKILL");
          resolve();
        }
      }, 5);
    });
    const gone = await first.done;
    expect(killed).toBe(true);
    expect(gone.stderr).not.toContain("done batch_");
    expect((await status(batch)).running).toBe(1);
    const second = await cliAsync(
      ["worker", "--queue", url(), "--drain", "--lease-check", "1", "--idle-poll-ms", "50"],
      env,
    );
    expect(second.code, second.stderr).toBe(0);
    // The lost unit ran again on the second worker, as its second attempt.
    expect(second.stderr).toMatch(/done batch_\S+ \S+ \(attempt 2,/);
    const s = await status(batch);
    expect(s).toMatchObject({ units: 3, done: 3, failed: 0, running: 0, queued: 0 });
    const r = await cliAsync(["eval", "report", batch, "--queue", url(), "--json"], env);
    expect(r.code, r.stderr).toBe(0);
    const report = JSON.parse(r.stdout) as MagpieReport;
    expect(report.scenarios.map((x) => x.id)).toEqual(["garden_1", "studio_2", "canteen_3"]);
    expect(report).toEqual(await localReport());
  });

  it("a rate-limiting endpoint slows the worker that meets it (backoff in the job), not the batch", async () => {
    const limited = await startTestServer({
      replies: [
        { fault: "429", retryAfterS: 1 },
        { fault: "429", retryAfterS: 1 },
      ],
      defaultReply: negotiationResponder(20),
    });
    try {
      const batch = await enqueue();
      const retrying = { ...env, QUORUM_MODEL_MAX_RETRIES: "3" };
      const args = ["worker", "--queue", url(), "--drain", "--idle-poll-ms", "50"];
      // The rate-limited worker is up (and takes the first job) before the other one starts.
      let up: () => void = () => undefined;
      const ready = new Promise<void>((resolve) => (up = resolve));
      const first = spawnCli([...args, "--base-url", limited.url], retrying, (e) => {
        if (e.includes("worker on ")) up();
      });
      await ready;
      const other = await cliAsync(args, retrying);
      const slowed = await first.done;
      expect(slowed.code, slowed.stderr).toBe(0);
      expect(other.code, other.stderr).toBe(0);
      // Both 429s were served and retried within their jobs: no unit failed, no call errored.
      expect(limited.stats.faults["429"]).toBe(2);
      expect(slowed.stderr).not.toMatch(/^ {2}failed/m);
      const r = await cliAsync(["eval", "report", batch, "--queue", url(), "--json"], env);
      expect(r.code, r.stderr).toBe(0);
      const report = JSON.parse(r.stdout) as MagpieReport;
      expect(report.overall.errors).toBe(0);
      expect(report).toEqual(await localReport());
    } finally {
      await limited.close();
    }
  });

  it("a unit that always throws is reported failed with its error after 3 attempts, not dropped", async () => {
    const batch = await enqueue();
    // A worker whose endpoint setting is broken cannot build the agents: every attempt throws.
    const w = await cliAsync(
      ["worker", "--queue", url(), "--drain", "--base-url", "not-a-url", "--idle-poll-ms", "50"],
      env,
    );
    expect(w.code, w.stderr).toBe(0);
    expect(w.stderr).toContain("failed for good");
    const s = await status(batch);
    expect(s).toMatchObject({ units: 3, done: 0, failed: 3, running: 0, queued: 0 });
    for (const f of s.failures) {
      expect(f.attempts).toBe(3);
      expect(f.error).toMatch(/baseURL.*http\(s\) URL/);
    }
    const r = await cliAsync(["eval", "report", batch, "--queue", url(), "--json"], env);
    expect(r.code).toBe(1);
    const report = JSON.parse(r.stdout) as MagpieReport & { failed: BatchStatus["failures"] };
    expect(report.scenarios).toEqual([]);
    expect(report.failed.map((f) => f.unit)).toEqual(s.failures.map((f) => f.unit));
    const text = await cliAsync(["eval", "report", batch, "--queue", url()], env);
    expect(text.stdout).toContain("units that failed (3)");
  });

  it("refuses to report a batch that is not finished, and an unknown batch, with exit 2", async () => {
    const batch = await enqueue();
    const r = await cliAsync(["eval", "report", batch, "--queue", url()], env);
    expect(r.code).toBe(2);
    expect(r.stderr).toContain(`batch ${batch} is not finished: 0/3 done`);
    const unknown = await cliAsync(["eval", "status", "batch_nope", "--queue", url()], env);
    expect(unknown.code).toBe(2);
    expect(unknown.stderr).toContain("no batch batch_nope");
    // Leave the queue empty for the other tests' --drain workers.
    const w = await cliAsync(["worker", "--queue", url(), "--drain", "--quiet"], env);
    expect(w.code, w.stderr).toBe(0);
  });
});

describe("a bad queue connection string", () => {
  it("is refused with host, port and a hint, exit 2 and no stack trace", async () => {
    const bad = "postgres://quorum:secret@127.0.0.1:1/nodb";
    for (const args of [
      ["worker", "--queue", bad],
      ["eval", "status", "batch_x", "--queue", bad],
      ["eval", "magpie", "--data", ROWS, "--queue", bad],
    ]) {
      const r = await cliAsync(args, env);
      expect(r.code, r.stderr).toBe(2);
      expect(r.stderr).toContain("cannot connect to Postgres at 127.0.0.1:1/nodb: ECONNREFUSED");
      expect(r.stderr).toContain("hint: is the server running");
      expect(r.stderr).not.toContain("secret");
      expect(r.stderr).not.toMatch(/\n\s+at /);
    }
    const notPg = await cliAsync(["worker", "--queue", "mysql://host/db"], env);
    expect(notPg.code).toBe(2);
    expect(notPg.stderr).toContain("--queue: not a Postgres connection string");
  });
});
