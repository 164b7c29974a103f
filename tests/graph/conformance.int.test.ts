import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { type BaseCheckpointSaver, MemorySaver } from "@langchain/langgraph";
import { afterAll, describe, expect, it } from "vitest";
import {
  createMemoryCheckpointer,
  InMemoryToolJournal,
  SqliteRunStore,
  type ToolJournal,
} from "../../src/graph/index.js";
import { smallTeam } from "./fixtures.js";

/**
 * Conformance kit: every tool journal and every checkpointer Quorum ships must pass the same
 * suite, so a new store is done when this passes for it.
 */
const dir = mkdtempSync(join(tmpdir(), "quorum-conf-"));
const stores: SqliteRunStore[] = [];
afterAll(() => {
  for (const s of stores) s.close();
  rmSync(dir, { recursive: true, force: true });
});

function sqlite(name: string): SqliteRunStore {
  const s = new SqliteRunStore(join(dir, `${name}.db`));
  stores.push(s);
  return s;
}

const journals: Array<[string, () => ToolJournal]> = [
  ["in-memory", () => new InMemoryToolJournal()],
  ["sqlite", () => sqlite(`j${stores.length}`).journal],
];

describe.each(journals)("tool journal: %s", (_name, make) => {
  it("records the intent once per key, then the result, and counts every start", async () => {
    const j = make();
    expect(await j.get("k")).toBeUndefined();
    expect(await j.begin("k", "pay")).toBeUndefined();
    expect(await j.get("k")).toMatchObject({ key: "k", tool: "pay", state: "started", attempts: 1 });
    // A second claim of the same key gets the entry back and writes nothing.
    expect(await j.begin("k", "pay")).toMatchObject({ state: "started", attempts: 1 });
    await j.retry("k");
    await j.finish("k", { ok: 1 });
    expect(await j.get("k")).toMatchObject({ state: "done", result: { ok: 1 }, failed: false, attempts: 2 });
    expect(await j.begin("k", "pay")).toMatchObject({ state: "done", result: { ok: 1 } });
    expect(await j.begin("k2", "mail")).toBeUndefined();
    await j.finish("k2", { error: "down" }, true);
    expect(await j.get("k2")).toMatchObject({ state: "done", failed: true });
    expect(await j.count("pay")).toBe(2);
    expect(await j.count("mail")).toBe(1);
    expect(await j.count()).toBe(3);
  });
});

const checkpointers: Array<[string, () => { checkpointer: BaseCheckpointSaver; journal: ToolJournal }]> = [
  ["memory", () => ({ checkpointer: new MemorySaver(), journal: new InMemoryToolJournal() })],
  [
    "memory, plain JSON serializer",
    () => ({ checkpointer: createMemoryCheckpointer(), journal: new InMemoryToolJournal() }),
  ],
  ["sqlite", () => sqlite(`c${stores.length}`)],
];

describe.each(checkpointers)("checkpointer: %s", (_name, make) => {
  it("keeps the whole log in the checkpoint and resumes a finished thread unchanged", async () => {
    const { checkpointer, journal } = make();
    const team = smallTeam({ checkpointer, journal });
    const r = await team.run("do it", { threadId: "c1" });
    expect(r.status).toBe("finished");
    const state = await team.state("c1");
    expect(state?.items.map((i) => i.id)).toEqual(r.items.map((i) => i.id));
    expect(state?.events.length).toBe(r.events.length);
    const again = await smallTeam({ checkpointer, journal }).resume("c1");
    expect(again.finalAnswer).toBe(r.finalAnswer);
    expect(again.items).toHaveLength(r.items.length);
    expect(await journal.count("notify")).toBe(1);
  });

  it("keeps threads apart", async () => {
    const { checkpointer, journal } = make();
    const team = smallTeam({ checkpointer, journal });
    const a = await team.run("do it", { threadId: "a", runId: "ra" });
    const b = await team.run("do it", { threadId: "b", runId: "rb" });
    expect(a.items.every((i) => i.runId === "ra")).toBe(true);
    expect(b.items.every((i) => i.runId === "rb")).toBe(true);
    await expect(team.run("again", { threadId: "a" })).rejects.toThrow(/already has a run/);
  });
});
