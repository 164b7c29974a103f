import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { magpieBatch, magpieHarness } from "../../src/eval/magpie/batch.js";
import { evalMagpie } from "../../src/eval/magpie/command.js";
import {
  type BatchHarness,
  batchState,
  connectQueue,
  enqueueBatch,
  type QueueConnection,
  runWorker,
} from "../../src/queue/index.js";
import { freshDatabase, POSTGRES_SKIP_REASON, POSTGRES_URL, requirePostgresInCi } from "../store/postgres.js";

/** The queue module in one process against a real Postgres: enqueue, workers, results, status. */
requirePostgresInCi();
const NO_MODEL = { QUORUM_MODEL: "", OPENAI_BASE_URL: "", OPENAI_API_KEY: "" };
const ROWS = "tests/magpie/fixtures/rows.jsonl";
let database: Awaited<ReturnType<typeof freshDatabase>> | undefined;
let q: QueueConnection | undefined;
beforeAll(async () => {
  if (!POSTGRES_URL) return;
  database = await freshDatabase("quorum_queue");
  q = await connectQueue(database.url, { supervise: true, maintenanceSeconds: 1 });
}, 60_000);
afterAll(async () => {
  await q?.close();
  await database?.drop();
});

const conn = () => q as QueueConnection;
const input = {
  data: ROWS,
  privacy: "explicit" as const,
  guard: ["detector" as const],
  agents: "careless" as const,
  judge: true,
};

const suite = POSTGRES_URL ? describe : describe.skip;
suite(`the batch queue${POSTGRES_URL ? "" : ` (${POSTGRES_SKIP_REASON})`}`, () => {
  it("two workers of two slots each run a MAGPIE batch to the local report, each unit once", async () => {
    const { spec, units } = magpieBatch(input, NO_MODEL);
    expect(units.length).toBeGreaterThan(2);
    expect(units[0]?.id).toMatch(/\|guard=detector\|privacy=explicit\|mode=rule-careless$/);
    const id = await enqueueBatch(conn(), { harness: "magpie", spec, units, leaseSeconds: 60, attempts: 3 });
    const before = await batchState(conn(), id);
    expect(before.status).toMatchObject({ units: units.length, done: 0, failed: 0, queued: units.length });

    const workers = [1, 2].map(() =>
      runWorker(conn(), {
        harnesses: [magpieHarness],
        concurrency: 2,
        drain: true,
        context: { env: NO_MODEL },
      }),
    );
    const summaries = await Promise.all(workers);
    expect(summaries.reduce((n, s) => n + s.done, 0)).toBe(units.length);

    const state = await batchState(conn(), id);
    expect(state.status).toMatchObject({ done: units.length, failed: 0, running: 0, queued: 0 });
    expect(state.results.map((r) => r.unitId)).toEqual(units.map((u) => u.id));
    const report = magpieHarness.report(
      state.record.spec,
      state.results.map((r) => r.result),
    );
    const local = await evalMagpie({ data: ROWS, guard: "detector", agents: "careless" }, { env: NO_MODEL });
    expect(local.kind).toBe("report");
    if (local.kind === "report") expect(report).toEqual(local.report);
  });

  it("a unit that always throws is tried three times and reported failed with its error", async () => {
    const attempts: string[] = [];
    const throwing: BatchHarness = {
      name: "throws",
      prepare: () => async (unit) => {
        attempts.push(unit.id);
        if (unit.id === "bad") throw new Error("the unit's input is broken");
        return { ok: unit.id };
      },
      report: (_spec, results) => results,
      format: () => "",
    };
    const units = [
      { id: "good", payload: {} },
      { id: "bad", payload: {} },
    ];
    const id = await enqueueBatch(conn(), {
      harness: "throws",
      spec: {},
      units,
      leaseSeconds: 60,
      attempts: 3,
    });
    await runWorker(conn(), { harnesses: [throwing], drain: true, context: { env: {} } });
    expect(attempts.filter((u) => u === "bad")).toHaveLength(3);
    expect(attempts.filter((u) => u === "good")).toHaveLength(1);
    const { status, results } = await batchState(conn(), id);
    expect(status).toMatchObject({ units: 2, done: 1, failed: 1, running: 0, queued: 0 });
    expect(status.failures).toEqual([{ unit: "bad", attempts: 3, error: "the unit's input is broken" }]);
    expect(results.find((r) => r.unitId === "good")?.result).toEqual({ ok: "good" });
  });

  it("writes a unit's result once: a second done result does not replace the first", async () => {
    const units = [{ id: "u1", payload: { n: 1 } }];
    const id = await enqueueBatch(conn(), { harness: "x", spec: {}, units, leaseSeconds: 60, attempts: 3 });
    const base = { batchId: id, unitId: "u1", attempts: 1, durationMs: 5 };
    expect(await conn().store.record({ ...base, status: "failed", error: "boom", worker: "w0" })).toBe(true);
    expect(await conn().store.record({ ...base, status: "done", result: { v: 1 }, worker: "w1" })).toBe(true);
    expect(await conn().store.record({ ...base, status: "done", result: { v: 2 }, worker: "w2" })).toBe(
      false,
    );
    const results = await conn().store.results(id);
    expect(results).toHaveLength(1);
    expect(results[0]).toMatchObject({ status: "done", result: { v: 1 }, worker: "w1" });
    // The job itself is still queued: drain it so later tests see an empty queue.
    const seen: string[] = [];
    const echo: BatchHarness = {
      name: "x",
      prepare: () => async (u) => seen.push(u.id),
      report: () => null,
      format: () => "",
    };
    const summary = await runWorker(conn(), { harnesses: [echo], drain: true, context: { env: {} } });
    // Its result was already written, so the worker completes the job without running it.
    expect(seen).toEqual([]);
    expect(summary).toEqual({ done: 0, failed: 0 });
  });

  it("refuses a batch with two units of the same id before storing anything", async () => {
    const units = [
      { id: "same", payload: {} },
      { id: "same", payload: {} },
    ];
    await expect(
      enqueueBatch(conn(), { harness: "x", spec: {}, units, leaseSeconds: 60, attempts: 3 }),
    ).rejects.toThrow(/two units share the id same/);
  });
});
