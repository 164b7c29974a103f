import { describe, expect, it } from "vitest";
import { z } from "zod";
import { defineTool, redactItem } from "../../src/core/index.js";
import { Runtime } from "../../src/graph/index.js";
import type { MessageGuard, MessageGuardInput, Verdict } from "../../src/guards/types.js";

const redactDigits: MessageGuard = {
  name: "digits",
  checkMessage: (m: MessageGuardInput): Verdict => {
    const text = String(m.message.content);
    return /\d/.test(text)
      ? {
          guard: "digits",
          hook: "message",
          decision: "redact",
          flagged: true,
          rationale: "numbers",
          replacement: text.replace(/\d+/g, "[n]"),
        }
      : { guard: "digits", hook: "message", decision: "allow", flagged: false, rationale: "ok" };
  },
};

describe("Runtime.send", () => {
  it("delivers an allowed message to its recipients only", async () => {
    const rt = new Runtime({ runId: "r" });
    const r = await rt.send({ from: "a", to: ["b"], step: 1, content: "hello" });
    expect(r.decision).toBe("allow");
    expect(r.delivered?.id).toBe(r.draft.id);
    expect(rt.log.seenIds("r", "b")).toEqual([r.draft.id]);
    expect(rt.log.seenIds("r", "c")).toEqual([]);
  });

  it("delivers the redacted replacement and keeps the original with its author", async () => {
    const rt = new Runtime({ runId: "r", guards: { message: [redactDigits] } });
    const r = await rt.send({ from: "a", to: ["b"], step: 1, content: "budget is 45000" });
    expect(r.decision).toBe("redact");
    expect(r.delivered?.content).toBe("budget is [n]");
    expect(r.draft.audience).toEqual(["a"]);
    expect(r.draft.sensitivity).toBe("private");
    const seenByB = rt.context("b").map((i) => i.content);
    expect(seenByB).toEqual(["budget is [n]"]);
    // what leaves the run (run files, exports) carries no trace of the withheld draft
    expect(JSON.stringify(rt.log.items().map((i) => redactItem(i)))).not.toContain("45000");
    expect(r.delivered?.derivedFrom).toEqual([r.draft.id, r.verdictItems[0]?.id]);
  });

  it("blocks when a guard throws (fail closed) and records why", async () => {
    const broken: MessageGuard = {
      name: "broken",
      checkMessage: () => {
        throw new Error("model unreachable");
      },
    };
    const rt = new Runtime({ runId: "r", guards: { message: [broken] } });
    const r = await rt.send({ from: "a", to: ["b"], step: 1, content: "x" });
    expect(r.delivered).toBeNull();
    expect(r.decision).toBe("block");
    expect(r.verdicts[0]?.failClosed).toBe(true);
    expect(rt.context("b")).toEqual([]);
  });

  it("blocks when a guard times out or answers garbage", async () => {
    const slow: MessageGuard = { name: "slow", checkMessage: () => new Promise<Verdict>(() => {}) };
    const garbage = { name: "garbage", checkMessage: () => ({ nope: true }) as unknown as Verdict };
    const rt = new Runtime({ runId: "r", guards: { message: [slow, garbage] }, guardTimeoutMs: 20 });
    const r = await rt.send({ from: "a", to: ["b"], step: 1, content: "x" });
    expect(r.delivered).toBeNull();
    expect(r.verdicts.map((v) => v.failClosed)).toEqual([true, true]);
    expect(r.verdicts[0]?.rationale).toMatch(/timed out/);
  });
});

describe("Runtime.callTool", () => {
  const charge = defineTool({
    name: "charge",
    description: "moves money",
    schema: z.object({ amount: z.number() }),
    effects: ["moves_money"],
    run: ({ amount }) => ({ charged: amount }),
  });

  it("runs a side-effecting call once per idempotency key", async () => {
    const rt = new Runtime({ runId: "r" });
    const first = await rt.callTool("a", 1, charge, { amount: 5 }, { idempotencyKey: "k1" });
    const again = await rt.callTool("a", 2, charge, { amount: 5 }, { idempotencyKey: "k1" });
    expect(first.status).toBe("executed");
    expect(again.status).toBe("replayed");
    expect(again.value).toEqual({ charged: 5 });
    expect(rt.journal.count("charge")).toBe(1);
  });

  it("reports invalid arguments as an error result, not a crash", async () => {
    const rt = new Runtime({ runId: "r" });
    const r = await rt.callTool("a", 1, charge, { amount: "five" }, { idempotencyKey: "k2" });
    expect(r.status).toBe("error");
    expect(JSON.stringify(r.result?.content)).toMatch(/invalid arguments for charge/);
    expect(rt.journal.count()).toBe(0);
  });
});

describe("SharedMemory", () => {
  it("serves readers in the audience and records a denied read", () => {
    const rt = new Runtime({ runId: "r" });
    rt.memory.write("boss", 0, "budget", 1800, { sensitivity: "private", audience: ["boss"] });
    rt.memory.write("boss", 0, "goal", "ship", {});
    expect(rt.memory.read("worker", 1, "goal")).toMatchObject({ ok: true, value: "ship" });
    const denied = rt.memory.read("worker", 1, "budget");
    expect(denied.ok).toBe(false);
    expect(rt.log.events({ type: "denied" })).toHaveLength(1);
    expect(rt.memory.keys("worker")).toEqual(["goal"]);
    expect(rt.memory.read("boss", 1, "budget")).toMatchObject({ ok: true, value: 1800 });
  });
});
