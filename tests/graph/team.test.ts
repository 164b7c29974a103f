import { describe, expect, it } from "vitest";
import { InMemoryToolJournal } from "../../src/graph/index.js";
import type { Verdict } from "../../src/guards/types.js";
import { label, smallTeam } from "./fixtures.js";

describe("team run", () => {
  it("records the exact provenance of every item", async () => {
    const r = await smallTeam().run("do it", { threadId: "t1", runId: "r1" });
    expect(r.status).toBe("finished");
    expect(r.finalAnswer).toBe("A and B combined; notified true");
    const byId = new Map(r.items.map((i) => [i.id, label(i)]));
    const provenance = r.items.map((i) => [label(i), i.derivedFrom.map((d) => byId.get(d))]);
    // Every item that carries out a plan step derives from the plan, so a planner's mistake is traceable.
    expect(provenance).toEqual([
      ["user/task", []],
      ["planner/plan", ["user/task"]],
      ["alpha/tool_call", ["user/task", "planner/plan"]],
      ["tool:lookup/tool_result", ["alpha/tool_call"]],
      ["alpha/step_output:a#1", ["user/task", "planner/plan", "alpha/tool_call", "tool:lookup/tool_result"]],
      ["beta/tool_call", ["user/task", "planner/plan"]],
      ["tool:lookup/tool_result", ["beta/tool_call"]],
      ["beta/step_output:b#1", ["user/task", "planner/plan", "beta/tool_call", "tool:lookup/tool_result"]],
      ["verifier/verification:a#1", ["alpha/step_output:a#1"]],
      ["verifier/verification:b#1", ["beta/step_output:b#1"]],
      ["supervisor/note:continue", ["verifier/verification:a#1", "verifier/verification:b#1"]],
      [
        "alpha/step_output:c#1",
        ["user/task", "planner/plan", "alpha/step_output:a#1", "beta/step_output:b#1"],
      ],
      ["verifier/verification:c#1", ["alpha/step_output:c#1"]],
      ["supervisor/note:retry", ["verifier/verification:c#1"]],
      // The retry is built from the same inputs plus the verifier's reasons.
      [
        "alpha/step_output:c#2",
        [
          "user/task",
          "planner/plan",
          "alpha/step_output:a#1",
          "beta/step_output:b#1",
          "verifier/verification:c#1",
        ],
      ],
      ["verifier/verification:c#2", ["alpha/step_output:c#2"]],
      ["supervisor/note:continue", ["verifier/verification:c#2"]],
      ["beta/tool_call", ["user/task", "planner/plan", "alpha/step_output:c#2"]],
      ["tool:notify/tool_result", ["beta/tool_call"]],
      [
        "beta/step_output:d#1",
        ["user/task", "planner/plan", "alpha/step_output:c#2", "beta/tool_call", "tool:notify/tool_result"],
      ],
      ["verifier/verification:d#1", ["beta/step_output:d#1"]],
      ["supervisor/note:finalize", ["verifier/verification:d#1"]],
      [
        "supervisor/final_answer",
        ["alpha/step_output:a#1", "beta/step_output:b#1", "alpha/step_output:c#2", "beta/step_output:d#1"],
      ],
      ["verifier/verification:final", ["supervisor/final_answer"]],
    ]);
  });

  it("runs independent steps in the same superstep", async () => {
    const r = await smallTeam().run("do it", { threadId: "t2" });
    const outputs = r.items.filter((i) => i.kind === "step_output");
    const a = outputs.find((o) => o.labels.includes("plan-step:a"));
    const b = outputs.find((o) => o.labels.includes("plan-step:b"));
    const c = outputs.find((o) => o.labels.includes("plan-step:c"));
    // a and b are executed before either is verified; c only after both were.
    const firstVerification = r.items.findIndex((i) => i.kind === "verification");
    expect(r.items.indexOf(a!)).toBeLessThan(firstVerification);
    expect(r.items.indexOf(b!)).toBeLessThan(firstVerification);
    expect(r.items.indexOf(c!)).toBeGreaterThan(firstVerification);
  });

  it("never hands an agent an item outside its audience", async () => {
    const r = await smallTeam().run("do it", { threadId: "t3" });
    const items = new Map(r.items.map((i) => [i.id, i]));
    for (const e of r.events) {
      if (e.type !== "delivered") continue;
      const item = items.get(e.itemId)!;
      const allowed = item.author === e.to || item.audience.includes("*") || item.audience.includes(e.to);
      expect(allowed, `${e.itemId} to ${e.to}`).toBe(true);
    }
  });

  it("blocks the plan before any tool runs when a plan guard says block", async () => {
    const journal = new InMemoryToolJournal();
    const blocker = {
      name: "no-email",
      checkPlan: (): Verdict => ({
        guard: "no-email",
        hook: "plan",
        decision: "block",
        flagged: true,
        rationale: "sends email",
        riskType: "unintended / unauthorized actions",
      }),
    };
    const r = await smallTeam({ journal }, { plan: [blocker] }).run("do it", { threadId: "t4" });
    expect(r.status).toBe("blocked");
    expect(r.reason).toContain("sends email");
    expect(r.items.filter((i) => i.kind === "tool_call")).toHaveLength(0);
    expect(r.events.filter((e) => e.type === "tool")).toHaveLength(0);
    expect(journal.count()).toBe(0);
    const verdict = r.items.find((i) => i.kind === "verdict");
    expect(verdict?.derivedFrom).toEqual([r.items.find((i) => i.kind === "plan")?.id]);
  });

  it("fails closed when a plan guard throws", async () => {
    const broken = {
      name: "broken",
      checkPlan: (): Verdict => {
        throw new Error("rules file vanished");
      },
    };
    const r = await smallTeam({}, { plan: [broken] }).run("do it", { threadId: "t5" });
    expect(r.status).toBe("blocked");
    const verdict = r.items.find((i) => i.kind === "verdict")?.content as Verdict;
    expect(verdict.failClosed).toBe(true);
    expect(verdict.rationale).toContain("rules file vanished");
  });

  it("stops cleanly when the step budget runs out", async () => {
    const r = await smallTeam({ budgets: { maxSteps: 4 } }).run("do it", { threadId: "t6" });
    expect(r.status).toBe("stopped");
    expect(r.reason).toMatch(/step budget of 4/);
    expect(r.events.some((e) => e.type === "status" && e.status === "stopped")).toBe(true);
  });
});

describe("team lifecycle", () => {
  it("release drops the in-process runtime; resume rebuilds it from the checkpoint", async () => {
    const team = smallTeam();
    const r = await team.run("do it", { threadId: "rel" });
    expect(team.runtime("rel")).toBeDefined();
    team.release("rel");
    expect(team.runtime("rel")).toBeUndefined();
    const again = await team.resume("rel");
    expect(again.finalAnswer).toBe(r.finalAnswer);
    expect(again.items.map((i) => i.id)).toEqual(r.items.map((i) => i.id));
  });

  it("durability exit still checkpoints the finished run", async () => {
    const team = smallTeam({ durability: "exit" });
    const r = await team.run("do it", { threadId: "dur" });
    expect(r.status).toBe("finished");
    expect((await team.state("dur"))?.finalAnswer).toBe(r.finalAnswer);
  });

  it("logs verdicts and tool calls through the given logger, without contents", async () => {
    const { Writable } = await import("node:stream");
    const { createLogger } = await import("../../src/core/index.js");
    const lines: string[] = [];
    const destination = new Writable({
      write(chunk, _e, cb) {
        lines.push(String(chunk));
        cb();
      },
    });
    const logger = createLogger({ level: "debug", destination });
    await smallTeam({ logger }).run("do it", { threadId: "log" });
    const records = lines
      .join("")
      .trim()
      .split("\n")
      .map((l) => JSON.parse(l) as { msg: string; tool?: string });
    expect(records.some((r) => r.msg === "tool call" && r.tool === "notify")).toBe(true);
    expect(lines.join("")).not.toContain("ops@example.com");
  });
});
