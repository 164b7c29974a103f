import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterEach, describe, expect, it } from "vitest";
import { SqliteRunStore } from "../../src/graph/index.js";
import type { PlanGuardInput, Verdict } from "../../src/guards/types.js";
import { smallTeam } from "./fixtures.js";

/** Asks for approval of any plan that sends something outside. */
const approvalGuard = {
  name: "outside-needs-approval",
  checkPlan: (input: PlanGuardInput): Verdict => {
    const idx = input.steps.flatMap((s, i) =>
      (s.toolCalls ?? []).some((c) => c.tool === "notify") ? [i] : [],
    );
    return idx.length
      ? {
          guard: "outside-needs-approval",
          hook: "plan",
          decision: "needs_approval",
          flagged: true,
          rationale: "sends outside",
          stepIndices: idx,
        }
      : {
          guard: "outside-needs-approval",
          hook: "plan",
          decision: "allow",
          flagged: false,
          rationale: "nothing leaves",
        };
  },
};

const dirs: string[] = [];
afterEach(() => {
  for (const d of dirs.splice(0)) rmSync(d, { recursive: true, force: true });
});

function dbPath(): string {
  const d = mkdtempSync(join(tmpdir(), "quorum-approval-"));
  dirs.push(d);
  return join(d, "runs.db");
}

describe("plan approval interrupt", () => {
  it("pauses before any tool runs and continues on approve", async () => {
    const team = smallTeam({}, { plan: [approvalGuard] });
    const paused = await team.run("do it", { threadId: "a1" });
    expect(paused.status).toBe("interrupted");
    expect(paused.interrupt?.kind).toBe("plan_approval");
    // The verdicts come typed: the guard's decision and rationale read without a cast.
    const asked = paused.interrupt?.verdicts.find((v) => v.decision === "needs_approval");
    expect(asked?.guard).toBe("outside-needs-approval");
    expect(asked?.rationale).toBe("sends outside");
    expect(paused.items.filter((i) => i.kind === "tool_call")).toHaveLength(0);
    const done = await team.resume("a1", { action: "approve" });
    expect(done.status).toBe("finished");
    expect(done.finalAnswer).toBe("A and B combined; notified true");
    expect(done.items.some((i) => i.kind === "note" && i.labels.includes("approval:approve"))).toBe(true);
  });

  it("ends blocked on reject with no tool run", async () => {
    const team = smallTeam({}, { plan: [approvalGuard] });
    await team.run("do it", { threadId: "a2" });
    const r = await team.resume("a2", { action: "reject", note: "not today" });
    expect(r.status).toBe("blocked");
    expect(r.reason).toContain("not today");
    expect(r.items.filter((i) => i.kind === "tool_call")).toHaveLength(0);
  });

  it("re-checks an edited plan and runs it", async () => {
    const team = smallTeam({}, { plan: [approvalGuard] });
    await team.run("do it", { threadId: "a3" });
    const edited = {
      steps: [
        {
          id: "a",
          assignee: "alpha",
          description: "get a",
          toolCalls: [{ tool: "lookup", args: { key: "a" } }],
          dependsOn: [],
        },
        {
          id: "b",
          assignee: "beta",
          description: "get b",
          toolCalls: [{ tool: "lookup", args: { key: "b" } }],
          dependsOn: [],
        },
        { id: "c", assignee: "alpha", description: "combine", toolCalls: [], dependsOn: ["a", "b"] },
      ],
    };
    const r = await team.resume("a3", { action: "edit", plan: edited });
    expect(r.status).toBe("finished");
    const plans = r.items.filter((i) => i.kind === "plan");
    expect(plans).toHaveLength(2);
    expect(plans[1]?.labels).toContain("edited");
    // the edited plan went through the guard again, and no notification was sent
    expect(r.items.filter((i) => i.kind === "verdict")).toHaveLength(2);
    expect(
      r.items.some((i) => i.kind === "tool_call" && (i.content as { tool: string }).tool === "notify"),
    ).toBe(false);
  });

  it("resumes the decision after a restart with the SQLite checkpointer", async () => {
    const path = dbPath();
    const first = new SqliteRunStore(path);
    const paused = await smallTeam(
      { checkpointer: first.checkpointer, journal: first.journal },
      { plan: [approvalGuard] },
    ).run("do it", { threadId: "a4" });
    expect(paused.status).toBe("interrupted");
    first.close();
    // a new process: new store, new team, same file
    const second = new SqliteRunStore(path);
    try {
      const team = smallTeam(
        { checkpointer: second.checkpointer, journal: second.journal },
        { plan: [approvalGuard] },
      );
      await expect(team.resume("a4")).rejects.toThrow(/waiting for plan approval/);
      const done = await team.resume("a4", { action: "approve" });
      expect(done.status).toBe("finished");
      expect(done.items[0]?.id).toBe(paused.items[0]?.id);
      expect(await second.journal.count("notify")).toBe(1);
    } finally {
      second.close();
    }
  });
});
