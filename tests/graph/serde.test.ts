import { isDeepStrictEqual } from "node:util";
import { MemorySaver, Send } from "@langchain/langgraph";
import { describe, expect, it } from "vitest";
import { createMemoryCheckpointer, PlainJsonSerializer } from "../../src/graph/index.js";
import { smallTeam } from "./fixtures.js";

const standard = new MemorySaver().serde;
const fast = new PlainJsonSerializer();
const text = (b: Uint8Array | string) => (typeof b === "string" ? b : Buffer.from(b).toString("utf8"));

class Custom {
  x = 1;
}
const cyclic: Record<string, unknown> = { a: 1 };
cyclic.self = cyclic;

const values: Array<[string, unknown]> = [
  ["string", 'héllo \u2028 "quoted"'],
  ["number", 3.25],
  ["null", null],
  ["undefined", undefined],
  ["undefined inside", { a: undefined, b: [undefined, 1, null], c: { d: undefined } }],
  // biome-ignore lint/suspicious/noSparseArray: a hole is one of the cases
  ["sparse array", [1, , 3]],
  ["nested plain", { items: [{ id: "x", derivedFrom: ["a", "b"], content: { n: 1 } }], steps: {} }],
  ["Send", { tasks: [new Send("execute", { stepId: "s1", plan: { steps: [] } })] }],
  ["plain value named Send", { lg_name: "Send", node: "n", args: { a: 1 } }],
  ["Date", { at: new Date(0) }],
  ["toJSON", { v: { toJSON: () => ({ u: undefined }) } }],
  ["Map and Set", { m: new Map([["k", 1]]), s: new Set([1, 2]) }],
  ["Error", { e: new Error("boom") }],
  ["RegExp", { r: /a+/gi }],
  ["class instance", { c: new Custom() }],
  ["cycle", cyclic],
  ["function", { f: () => 1, n: 1 }],
  ["null prototype", Object.assign(Object.create(null), { a: 1 })],
  [
    "lc record lookalike",
    { lc: 2, type: "constructor", id: ["Set"], method: null, args: [[1, 2]], kwargs: {} },
  ],
];

describe("plain JSON checkpoint serializer", () => {
  it.each(values)("writes exactly the bytes of LangGraph's serializer: %s", async (_name, value) => {
    const [t1, b1] = await standard.dumpsTyped(value);
    const [t2, b2] = await fast.dumpsTyped(value);
    expect(t2).toBe(t1);
    expect(text(b2)).toBe(text(b1));
  });

  it.each(values)("reads back what LangGraph's serializer reads: %s", async (_name, value) => {
    const [type, bytes] = await standard.dumpsTyped(value);
    const a = await standard.loadsTyped(type, bytes);
    const b = await fast.loadsTyped(type, bytes);
    expect(isDeepStrictEqual(b, a)).toBe(true);
    expect(isDeepStrictEqual(await fast.loadsTyped(type, text(bytes)), a)).toBe(true);
  });

  it("passes bytes through as LangGraph's serializer does", async () => {
    const bytes = new Uint8Array([1, 2, 3]);
    expect(await fast.dumpsTyped(bytes)).toEqual(await standard.dumpsTyped(bytes));
  });

  it("checkpoints a team run readable by LangGraph's serializer, and reads one it wrote", async () => {
    const ours = createMemoryCheckpointer();
    const r = await smallTeam({ checkpointer: ours }).run("do it", { threadId: "s1" });
    expect(r.status).toBe("finished");
    // The same saved bytes, read with the standard serializer by a standard MemorySaver.
    const theirs = new MemorySaver();
    theirs.storage = ours.storage;
    theirs.writes = ours.writes;
    const state = await smallTeam({ checkpointer: theirs }).state("s1");
    expect(state?.items).toEqual(r.items);
    expect(state?.events).toEqual(r.events);
    // And the other way round: a run checkpointed by the standard serializer resumes with ours.
    const std = new MemorySaver();
    const r2 = await smallTeam({ checkpointer: std }).run("do it", { threadId: "s2" });
    const back = createMemoryCheckpointer();
    back.storage = std.storage;
    back.writes = std.writes;
    const again = await smallTeam({ checkpointer: back }).resume("s2");
    expect(again.status).toBe(r2.status);
    expect(again.items).toEqual(r2.items);
  });
});
