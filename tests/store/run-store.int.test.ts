import { spawnSync } from "node:child_process";
import { mkdtempSync, rmSync } from "node:fs";
import { hostname, tmpdir } from "node:os";
import { join } from "node:path";
import type { RunnableConfig } from "@langchain/core/runnables";
import { BaseCheckpointSaver, emptyCheckpoint, uuid6 } from "@langchain/langgraph-checkpoint";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import {
  PostgresRunStore,
  type RunStore,
  SqliteRunStore,
  type ThreadRecord,
  withThreadLease,
} from "../../src/graph/index.js";
import { smallTeam } from "../graph/fixtures.js";
import { freshDatabase, POSTGRES_SKIP_REASON, POSTGRES_URL, requirePostgresInCi } from "./postgres.js";

/**
 * One suite for every store: the thread registry, the tool journal's unique key, leases, and a
 * team run whose log is stored once (linear) and read back in the order it was produced.
 */
requirePostgresInCi();
const dir = mkdtempSync(join(tmpdir(), "quorum-store-"));
let database: Awaited<ReturnType<typeof freshDatabase>> | undefined;
beforeAll(async () => {
  if (POSTGRES_URL) database = await freshDatabase("quorum_store");
}, 30_000);
afterAll(async () => {
  await database?.drop();
  rmSync(dir, { recursive: true, force: true });
});

interface Kind {
  open: () => Promise<RunStore>;
  /** Bytes stored for one channel of a thread: its writes and its stored values. */
  channelBytes: (
    store: RunStore,
    thread: string,
    channel: string,
  ) => Promise<{ writes: number; values: number }>;
}

let files = 0;
const kinds: Array<[string, Kind | undefined]> = [
  [
    "sqlite",
    {
      open: async () => new SqliteRunStore(join(dir, `s${files++}.db`)),
      async channelBytes(store, thread, channel) {
        const db = (store as SqliteRunStore).db;
        const q = (table: string) =>
          (
            db
              .prepare(
                `SELECT COALESCE(SUM(LENGTH(blob)), 0) AS n FROM ${table} WHERE thread_id = ? AND channel = ?`,
              )
              .get(thread, channel) as { n: number }
          ).n;
        return { writes: q("quorum_checkpoint_writes"), values: q("quorum_checkpoint_blobs") };
      },
    },
  ],
  [
    "postgres",
    POSTGRES_URL
      ? {
          open: async () => PostgresRunStore.open(database?.url as string),
          async channelBytes(store, thread, channel) {
            const { pool } = store as PostgresRunStore;
            const q = async (table: string) =>
              Number(
                (
                  await pool.query<{ n: string }>(
                    `SELECT COALESCE(SUM(OCTET_LENGTH(blob)), 0) AS n FROM ${table} WHERE thread_id = $1 AND channel = $2`,
                    [thread, channel],
                  )
                ).rows[0]?.n ?? 0,
              );
            return { writes: await q("checkpoint_writes"), values: await q("checkpoint_blobs") };
          },
        }
      : undefined,
  ],
];

const record = (threadId: string): ThreadRecord => ({
  threadId,
  runId: `run-${threadId}`,
  scenarioPath: "scenarios/x.yaml",
  scenarioText: "task: x",
  createdAt: new Date(0).toISOString(),
  model: null,
});

/** The pid of a process that ran on this host and has exited. */
function deadPid(): number {
  const child = spawnSync(process.execPath, ["-e", "console.log(process.pid)"], { encoding: "utf8" });
  return Number(child.stdout.trim());
}

for (const [name, kind] of kinds) {
  const suite = kind ? describe : describe.skip;
  suite(`run store: ${name}${kind ? "" : ` (${POSTGRES_SKIP_REASON})`}`, () => {
    const k = kind as Kind;
    const tag = Math.random().toString(36).slice(2, 8);

    it("registers a thread once and reads it back", async () => {
      const store = await k.open();
      try {
        expect(await store.createThread(record(`t-${tag}`))).toBe(true);
        expect(await store.createThread({ ...record(`t-${tag}`), runId: "other" })).toBe(false);
        expect(await store.loadThread(`t-${tag}`)).toEqual(record(`t-${tag}`));
        expect(await store.loadThread(`missing-${tag}`)).toBeUndefined();
      } finally {
        await store.close();
      }
    });

    it("gives a thread's lease to one owner until it expires, is released, or its process is gone", async () => {
      const store = await k.open();
      const thread = `lease-${tag}`;
      try {
        expect(await store.acquireLease(thread, "host:1:a", 60_000)).toBeUndefined();
        expect(await store.acquireLease(thread, "host:1:a", 60_000)).toBeUndefined();
        expect(await store.acquireLease(thread, "host:2:b", 60_000)).toMatchObject({ owner: "host:1:a" });
        expect(await store.renewLease(thread, "host:2:b", 60_000)).toBe(false);
        expect(await store.renewLease(thread, "host:1:a", 60_000)).toBe(true);
        await store.releaseLease(thread, "host:2:b"); // not the holder: no effect
        expect(await store.acquireLease(thread, "host:2:b", 60_000)).toMatchObject({ owner: "host:1:a" });
        await store.releaseLease(thread, "host:1:a");
        expect(await store.acquireLease(thread, "host:2:b", 1)).toBeUndefined();
        await new Promise((r) => setTimeout(r, 5));
        expect(await store.acquireLease(thread, "host:3:c", 60_000)).toBeUndefined(); // b's expired
        // A live process of this host keeps its lease; a dead one loses it at once.
        const alive = `${hostname()}:${process.pid}:x`;
        expect(await store.acquireLease(`${thread}-2`, alive, 60_000)).toBeUndefined();
        expect(await store.acquireLease(`${thread}-2`, "host:4:d", 60_000)).toMatchObject({ owner: alive });
        const gone = `${hostname()}:${deadPid()}:y`;
        expect(await store.acquireLease(`${thread}-3`, gone, 60_000)).toBeUndefined();
        expect(await store.acquireLease(`${thread}-3`, "host:5:e", 60_000)).toBeUndefined();
      } finally {
        await store.close();
      }
    });

    it("refuses a second runner of a thread with an error naming the thread and the holder", async () => {
      const store = await k.open();
      const thread = `busy-${tag}`;
      try {
        let release: () => void = () => undefined;
        const first = withThreadLease(store, thread, () => new Promise<void>((r) => (release = r)));
        await new Promise((r) => setTimeout(r, 50));
        await expect(withThreadLease(store, thread, async () => "ran")).rejects.toThrow(
          new RegExp(`thread ${thread} is being run by ${hostname()}:${process.pid}:`),
        );
        release();
        await first;
        await expect(withThreadLease(store, thread, async () => "ran")).resolves.toBe("ran");
      } finally {
        await store.close();
      }
    });

    it("reads a delta channel's history as the generic ancestor walk does, whatever its writes hold", async () => {
      const store = await k.open();
      const thread = `history-${tag}`;
      const saver = store.checkpointer;
      try {
        // Three checkpoints on a chain, each with writes: plain JSON (read joined, in one parse),
        // values holding serialized records (undefined, a Map) and raw bytes (read write by write).
        const writes: Array<Array<[string, unknown]>> = [
          [
            ["plain", [1, "a"]],
            ["records", [{ n: 1, gone: undefined }]],
            ["raw", new Uint8Array([1, 2])],
          ],
          [
            ["plain", [2]],
            ["records", [new Map([["k", 1]])]],
            ["plain", ['"lc" in text']],
          ],
          [
            ["records", ["x"]],
            ["raw", new Uint8Array([3])],
          ],
        ];
        let config: RunnableConfig = { configurable: { thread_id: thread, checkpoint_ns: "" } };
        for (const [step, batch] of [...writes, []].entries()) {
          const checkpoint = { ...emptyCheckpoint(), id: uuid6(step) };
          config = await saver.put(config, checkpoint, { source: "loop", step, parents: {} }, {});
          if (batch.length > 0) await saver.putWrites(config, batch, `task-${step}`);
        }
        const options = { config, channels: ["plain", "records", "raw", "none"] };
        const mine = await saver.getDeltaChannelHistory(options);
        const generic = await BaseCheckpointSaver.prototype.getDeltaChannelHistory.call(saver, options);
        expect(mine).toEqual(generic);
        expect(mine.plain?.writes.map((w) => w[2])).toEqual([[1, "a"], [2], ['"lc" in text']]);
        expect(mine.records?.writes.map((w) => w[2])).toEqual([[{ n: 1 }], [new Map([["k", 1]])], ["x"]]);
        expect(mine.raw?.writes).toHaveLength(2);
        expect(mine.none?.writes).toEqual([]);
      } finally {
        await store.close();
      }
    });

    it("stores the log once, and reads it back in the order the run produced it", async () => {
      const store = await k.open();
      const thread = `log-${tag}`;
      try {
        const team = smallTeam({ checkpointer: store.checkpointer, journal: store.journal });
        const r = await team.run("do it", { threadId: thread });
        expect(r.status).toBe("finished");
        const again = smallTeam({ checkpointer: store.checkpointer, journal: store.journal });
        const state = await again.state(thread);
        // a and b ran in parallel: the same interleaving after a reload, item for item.
        expect(state?.items.map((i) => i.id)).toEqual(r.items.map((i) => i.id));
        expect(state?.events).toEqual(r.events);
        const resumed = await again.resume(thread);
        expect(resumed.items.map((i) => i.id)).toEqual(r.items.map((i) => i.id));
        expect(await store.journal.count("notify")).toBe(1);
        const items = await k.channelBytes(store, thread, "items");
        // No checkpoint carries the whole log; what is stored is each item once (plus encoding).
        expect(items.values).toBe(0);
        const once = Buffer.byteLength(JSON.stringify(r.items));
        expect(items.writes).toBeGreaterThan(once * 0.9);
        expect(items.writes).toBeLessThan(once * 1.5);
      } finally {
        await store.close();
      }
    });
  });
}
