import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterEach, describe, expect, it } from "vitest";
import { z } from "zod";
import { ScriptedSpecialist } from "../../src/agents/index.js";
import { defineTool, RunFileSchema, teamEventsOf } from "../../src/core/index.js";
import {
  contentOf,
  Runtime,
  SqliteRunStore,
  type ToolApprovalRequest,
  toRunFile,
} from "../../src/graph/index.js";
import type { ToolCallGuard, Verdict } from "../../src/guards/types.js";
import { lookup, smallTeam } from "./fixtures.js";

/** A notify tool that counts its real runs and asks before each one. */
function countingNotify(needsApproval: boolean | ((args: { to: string }) => boolean) = true) {
  const sent: string[] = [];
  const tool = defineTool({
    name: "notify",
    description: "send a notification outside",
    schema: z.object({ to: z.string(), text: z.string() }),
    effects: ["sends_outside"],
    needsApproval,
    run: ({ to }) => {
      sent.push(to);
      return { sent: true };
    },
  });
  return { tool, sent };
}

function teamWith(notify: ReturnType<typeof countingNotify>["tool"], extra = {}) {
  const specialist = new ScriptedSpecialist({
    a: ["A={{0.value}}"],
    b: ["B={{0.value}}"],
    c: ["A and B combined"],
    d: ["notified {{0.sent}}"],
  });
  return smallTeam({
    specialists: [
      { name: "alpha", impl: specialist, tools: [lookup] },
      { name: "beta", impl: specialist, tools: [lookup, notify] },
    ],
    ...extra,
  });
}

const dirs: string[] = [];
afterEach(() => {
  for (const d of dirs.splice(0)) rmSync(d, { recursive: true, force: true });
});

describe("tool approval (needsApproval)", () => {
  it("pauses before the call runs and runs it once on approve", async () => {
    const { tool, sent } = countingNotify();
    const team = teamWith(tool);
    const paused = await team.run("do it", { threadId: "t1" });
    expect(paused.status).toBe("interrupted");
    const request = paused.interrupt as ToolApprovalRequest;
    expect(request).toMatchObject({ kind: "tool_approval", agent: "beta", tool: "notify" });
    expect(request.args).toEqual({ to: "ops@example.com", text: "done" });
    expect(sent).toEqual([]);
    // The steps before the paused one ran and are kept.
    expect(paused.items.filter((i) => i.kind === "step_output").length).toBeGreaterThanOrEqual(3);
    const done = await team.resume("t1", { action: "approve" });
    expect(done.status).toBe("finished");
    expect(done.finalAnswer).toBe("A and B combined; notified true");
    expect(sent).toEqual(["ops@example.com"]);
    const approver = done.items.map((i) => contentOf(i, "verdict")).filter((v) => v?.guard === "approval");
    expect(approver.map((v) => v?.decision)).toEqual(["allow"]);
  });

  it("streams the request as approval.requested, naming the tool and not its arguments", async () => {
    const { tool } = countingNotify();
    const stream = teamWith(tool).stream("do it", { threadId: "t0" });
    const events = [];
    for await (const e of stream) events.push(e);
    const asked = events.find((e) => e.type === "approval.requested");
    expect(asked).toMatchObject({ tool: { agent: "beta", name: "notify" } });
    expect(JSON.stringify(asked)).not.toContain("ops@example.com");
    expect(events.at(-1)).toMatchObject({ type: "run.finished", status: "interrupted" });
    const result = await stream.result;
    expect(result.status).toBe("interrupted");
    // A saved run file gives the same request, still without the arguments.
    const file = toRunFile(result, {
      task: "do it",
      agents: ["planner", "alpha", "beta", "verifier", "supervisor"],
    });
    expect(file.waitingFor).toMatchObject({ agent: "beta", tool: "notify" });
    expect(JSON.stringify(file.waitingFor)).not.toContain("ops@example.com");
    const saved = teamEventsOf(RunFileSchema.parse(JSON.parse(JSON.stringify(file)))).find(
      (e) => e.type === "approval.requested",
    );
    const { seq: _a, ...live } = asked as NonNullable<typeof asked>;
    const { seq: _b, ...fromFile } = saved as NonNullable<typeof saved>;
    expect(fromFile).toEqual(live);
  });

  it("withholds the call on reject, with the reason", async () => {
    const { tool, sent } = countingNotify();
    const team = teamWith(tool);
    await team.run("do it", { threadId: "t2" });
    const r = await team.resume("t2", { action: "reject", note: "not to ops" });
    expect(sent).toEqual([]);
    const withheld = r.items.filter((i) => i.kind === "tool_call" && i.labels.includes("withheld"));
    expect(withheld).toHaveLength(1);
    const why = r.items.map((i) => contentOf(i, "verdict")).find((v) => v?.guard === "approval");
    expect(why).toMatchObject({ decision: "block", rationale: "rejected by the user: not to ops" });
  });

  it("runs an edit with the new arguments, checked against the tool's schema", async () => {
    const { tool, sent } = countingNotify();
    const team = teamWith(tool);
    await team.run("do it", { threadId: "t3" });
    await expect(
      team.resume("t3", {
        action: "edit",
        plan: { steps: [{ id: "a", assignee: "alpha", description: "x", toolCalls: [], dependsOn: [] }] },
      }),
    ).rejects.toThrow(/must carry its arguments/);
    const r = await team.resume("t3", { action: "edit", args: { to: "me@example.com", text: "done" } });
    expect(r.status).toBe("finished");
    expect(sent).toEqual(["me@example.com"]);
    const call = r.items.map((i) => contentOf(i, "tool_call")).find((c) => c?.tool === "notify");
    expect(call?.args).toEqual({ to: "me@example.com", text: "done" });

    const again = teamWith(countingNotify().tool);
    await again.run("do it", { threadId: "t4" });
    const bad = await again.resume("t4", { action: "edit", args: { to: 3 } });
    const why = bad.items.map((i) => contentOf(i, "verdict")).find((v) => v?.guard === "approval");
    expect(why?.rationale).toMatch(/schema/);
  });

  it("asks only when the tool's function says so", async () => {
    const { tool, sent } = countingNotify((args) => !args.to.endsWith("@example.com"));
    const r = await teamWith(tool).run("do it", { threadId: "t5" });
    expect(r.status).toBe("finished");
    expect(sent).toEqual(["ops@example.com"]);
  });

  it("turns a tool-call guard's needs_approval into a pause, and keeps it across a restart", async () => {
    const { tool, sent } = countingNotify(false);
    const guard: ToolCallGuard = {
      name: "outside-check",
      checkToolCall: ({ tool: name }): Verdict => ({
        guard: "outside-check",
        hook: "tool_call",
        decision: name === "notify" ? "needs_approval" : "allow",
        flagged: name === "notify",
        rationale: name === "notify" ? "sends outside" : "stays inside",
      }),
    };
    const dir = mkdtempSync(join(tmpdir(), "quorum-tool-approval-"));
    dirs.push(dir);
    const first = new SqliteRunStore(join(dir, "runs.db"));
    const paused = await teamWith(tool, {
      checkpointer: first.checkpointer,
      journal: first.journal,
      guards: { toolCall: [guard] },
    }).run("do it", { threadId: "t6" });
    expect((paused.interrupt as ToolApprovalRequest).reason).toBe("sends outside");
    first.close();
    const second = new SqliteRunStore(join(dir, "runs.db"));
    try {
      const team = teamWith(tool, {
        checkpointer: second.checkpointer,
        journal: second.journal,
        guards: { toolCall: [guard] },
      });
      await expect(team.resume("t6")).rejects.toThrow(/waiting for approval of a notify call/);
      const done = await team.resume("t6", { action: "approve" });
      expect(done.status).toBe("finished");
      expect(sent).toEqual(["ops@example.com"]);
    } finally {
      second.close();
    }
  });

  it("withholds the call in a bare runtime, where no one can be asked", async () => {
    const { tool, sent } = countingNotify();
    const rt = new Runtime();
    const r = await rt.callTool(
      "agent",
      1,
      tool,
      { to: "x@example.com", text: "t" },
      { idempotencyKey: "k1" },
    );
    expect(r.status).toBe("blocked");
    expect(sent).toEqual([]);
    expect(r.verdicts.at(-1)?.rationale).toBe("no approver to ask");
  });
});
