// Cancelling a run with an AbortSignal or a wall-clock limit: it stops with a reason naming what
// stopped it, its checkpoint stays, and resume finishes it without re-running a completed
// side effect.
import { describe, expect, it, vi } from "vitest";
import type { TeamEvent } from "../../src/core/index.js";
import { smallTeam } from "./fixtures.js";
import { gatedTeam } from "./gated.js";

vi.setConfig({ testTimeout: 30_000 });

const until = async (ok: () => boolean) => {
  for (let i = 0; i < 200 && !ok(); i++) await new Promise((r) => setTimeout(r, 5));
  expect(ok()).toBe(true);
};

describe("cancellation", () => {
  it("an aborted run stops with its reason and resumes to the end, the side effect once", async () => {
    const { team, open, sent } = gatedTeam();
    const controller = new AbortController();
    const events: TeamEvent[] = [];
    const stopped = await team.run("notify and report", {
      threadId: "thread-abort",
      signal: controller.signal,
      onEvent: (e) => {
        events.push(e);
        if (e.type === "tool.called") controller.abort("the user pressed stop");
      },
    });
    expect(stopped.status).toBe("stopped");
    expect(stopped.reason).toBe("cancelled: the user pressed stop");
    expect(stopped.events.at(-1)).toMatchObject({ type: "status", status: "stopped" });
    expect(events.at(-1)).toMatchObject({ type: "run.finished", status: "stopped" });
    expect(stopped.finalAnswer).toBeNull();
    // The cut-off call completes in the background and is journalled; resume replays it.
    open();
    await until(() => sent.count === 1);
    const resumed = await team.resume("thread-abort");
    expect(resumed.status).toBe("finished");
    expect(resumed.finalAnswer).toBe("sent notice-1; done");
    expect(sent.count).toBe(1);
    const notifies = resumed.events.filter((e) => e.type === "tool" && e.tool === "notify");
    expect(notifies.map((e) => (e.type === "tool" ? e.status : ""))).toEqual(["replayed"]);
  });

  it("a wall-clock limit stops the run naming the limit", async () => {
    const { team, open } = gatedTeam();
    const stopped = await team.run("notify and report", { threadId: "thread-slow", timeoutMs: 50 });
    expect(stopped.status).toBe("stopped");
    expect(stopped.reason).toBe("wall-clock limit of 50 ms (timeoutMs) reached");
    open();
    const resumed = await team.resume("thread-slow");
    expect(resumed.status).toBe("finished");
  });

  it("a signal aborted before the run starts runs nothing", async () => {
    const { team, sent } = gatedTeam();
    const stopped = await team.run("notify and report", {
      threadId: "thread-never",
      signal: AbortSignal.abort(),
    });
    expect(stopped.status).toBe("stopped");
    expect(stopped.reason).toBe("cancelled");
    expect(stopped.items.filter((i) => i.kind === "tool_call")).toEqual([]);
    expect(sent.count).toBe(0);
  });

  it("a run that ends before the limit is not stopped, and leaves no timer behind", async () => {
    const { team, open } = gatedTeam();
    open();
    const result = await team.run("notify and report", {
      timeoutMs: 60_000,
      signal: new AbortController().signal,
    });
    expect(result.status).toBe("finished");
  });
});

describe("per-call limits", () => {
  it("budgets on one call stop that run, naming the limit, and leave the team's for the next", async () => {
    const team = smallTeam();
    const limited = await team.run("combine a and b", { budgets: { maxSteps: 3 } });
    expect(limited.status).toBe("stopped");
    expect(limited.reason).toBe("step budget of 3 reached");
    expect(limited.events.at(-1)).toMatchObject({ type: "status", status: "stopped" });
    expect((await team.run("combine a and b")).status).toBe("finished");
    expect(team.budgets.maxSteps).toBe(100);
  });

  it("retry and replan limits hold per call too", async () => {
    const team = smallTeam();
    const first = await team.run("combine a and b", {
      threadId: "thread-limit",
      budgets: { maxRetries: 0, maxReplans: 0 },
    });
    expect(first.status).toBe("failed");
    expect(first.reason).toContain("no replans are left");
  });
});
