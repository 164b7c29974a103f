import { describe, expect, it } from "vitest";
import { contentOf, type Item, isItemOf } from "../../src/index.js";
import { smallTeam } from "./fixtures.js";

const item = (kind: Item["kind"], content: unknown): Item => ({
  id: "i1",
  runId: "r",
  step: 0,
  author: "a",
  kind,
  content,
  audience: ["*"],
  sensitivity: "internal",
  labels: [],
  derivedFrom: [],
});

describe("typed item content", () => {
  it("types the content of the kinds a team writes and validates it", () => {
    const v = contentOf(
      item("verification", { stepId: "a", attempt: 1, pass: false, reasons: ["x"] }),
      "verification",
    );
    expect(v).toEqual({ stepId: "a", attempt: 1, pass: false, reasons: ["x"] });
    // The wrong kind, and content of the wrong shape (as an imported log may hold), read as undefined.
    expect(contentOf(item("note", { route: "stop" }), "verification")).toBeUndefined();
    expect(contentOf(item("task", { not: "a string" }), "task")).toBeUndefined();
    expect(isItemOf(item("tool_call", { tool: "t", args: {}, idempotencyKey: "k" }), "tool_call")).toBe(true);
  });

  it("leaves free kinds unknown but still checks the kind", () => {
    expect(isItemOf(item("message", { anything: 1 }), "message")).toBe(true);
    expect(isItemOf(item("message", "hi"), "answer")).toBe(false);
  });

  it("reads a real run's plan, outputs and final answer without casts", async () => {
    const result = await smallTeam().run("do it", { threadId: "typed-1" });
    const items = result.items;
    const plan = items.map((i) => contentOf(i, "plan")).find((p) => p !== undefined);
    expect(plan?.steps.map((s) => s.id)).toEqual(expect.arrayContaining(["c", "d"]));
    const final = items.map((i) => contentOf(i, "final_answer")).find((a) => a !== undefined);
    expect(final).toBe("A and B combined; notified true");
    expect(items.filter((i) => isItemOf(i, "step_output")).length).toBeGreaterThan(0);
  });
});
