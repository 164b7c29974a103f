// team.stream(): typed events as they happen, the same events as a saved run file gives, and
// never a private value in any of them.
import { describe, expect, it, vi } from "vitest";
import { type TeamEvent, TeamEventSchema, type TeamEventType, teamEventsOf } from "../../src/core/index.js";
import { teamFromScenario } from "../../src/graph/from-scenario.js";
import type { Team } from "../../src/graph/index.js";
import { toRunFile } from "../../src/graph/runfile.js";
import { loadScenario } from "../../src/graph/scenario.js";
import { scenarioCanaries } from "../../src/graph/scenario-privacy.js";
import type { PlanGuard, ToolCallGuard } from "../../src/guards/types.js";
import { smallTeam } from "./fixtures.js";
import { gatedTeam } from "./gated.js";

vi.setConfig({ testTimeout: 30_000 });

async function collect(stream: AsyncIterable<TeamEvent>): Promise<TeamEvent[]> {
  const out: TeamEvent[] = [];
  for await (const e of stream) out.push(e);
  return out;
}

const types = (events: TeamEvent[]) => events.map((e) => e.type);
const without = (events: TeamEvent[], type: TeamEventType) =>
  events.filter((e) => e.type !== type).map(({ seq: _seq, ...rest }) => rest);

describe("team.stream", () => {
  it("yields events while the run is still going", async () => {
    const { team, open } = gatedTeam();
    const stream = team.stream("notify and report");
    let settled = false;
    void stream.result.then(() => {
      settled = true;
    });
    const seen: TeamEventType[] = [];
    for await (const e of stream) {
      seen.push(e.type);
      if (e.type === "tool.called") {
        // The tool is waiting on the gate: the run cannot have finished.
        await new Promise((r) => setTimeout(r, 20));
        expect(settled).toBe(false);
        expect(seen).toContain("plan.proposed");
        expect(seen).not.toContain("tool.result");
        open();
      }
    }
    expect(seen.at(-1)).toBe("run.finished");
    expect(seen.indexOf("tool.called")).toBeLessThan(seen.indexOf("tool.result"));
    expect((await stream.result).finalAnswer).toBe("sent notice-1; done");
  });

  it("every event parses with the schema, is numbered in order, and the run ends once", async () => {
    const events = await collect(smallTeam().stream("combine a and b"));
    expect(events.map((e) => e.seq)).toEqual(events.map((_, i) => i));
    for (const e of events) expect(TeamEventSchema.safeParse(e).success, e.type).toBe(true);
    expect(events[0]?.type).toBe("run.started");
    expect(types(events).filter((t) => t.startsWith("run."))).toEqual(["run.started", "run.finished"]);
    const kinds = new Set(types(events));
    for (const t of [
      "plan.proposed",
      "step.started",
      "step.finished",
      "item.recorded",
      "tool.called",
      "tool.result",
      "message.delivered",
      "verifier.verdict",
      "supervisor.decision",
    ] as const)
      expect(kinds.has(t), t).toBe(true);
    // Every started agent step finishes, once.
    const started = events.filter((e) => e.type === "step.started").map((e) => `${e.agent}@${e.step}`);
    const finished = events.filter((e) => e.type === "step.finished").map((e) => `${e.agent}@${e.step}`);
    expect([...finished].sort()).toEqual([...started].sort());
    expect(new Set(started).size).toBe(started.length);
    // The rejected first attempt of step c and the retry are both there.
    const verdicts = events.filter((e) => e.type === "verifier.verdict" && e.stepId === "c");
    expect(verdicts.map((v) => (v.type === "verifier.verdict" ? v.pass : null))).toEqual([false, true]);
  });

  it("gives the same events as the saved run file (agent steps may end later live)", async () => {
    const team = smallTeam();
    const stream = team.stream("combine a and b", { threadId: "thread-same", runId: "run-same" });
    const live = await collect(stream);
    const result = await stream.result;
    const saved = teamEventsOf(toRunFile(result, { task: "combine a and b", agents: team.agentNames }));
    // Parallel branches interleave live; the checkpoint keeps each branch's records together.
    const sorted = (events: TeamEvent[]) =>
      without(events, "step.finished")
        .map((e) => JSON.stringify(e))
        .sort();
    expect(sorted(live)).toEqual(sorted(saved));
    const byStep = (events: TeamEvent[], step: number) =>
      without(events, "step.finished").filter((e) => e.step === step);
    for (const step of new Set(live.map((e) => e.step)))
      expect(byStep(live, step)).toEqual(byStep(saved, step));
    const ends = (events: TeamEvent[]) =>
      events
        .filter((e) => e.type === "step.finished")
        .map((e) => `${e.type === "step.finished" ? e.agent : ""}@${e.step}`)
        .sort();
    expect(ends(live)).toEqual(ends(saved));
  });

  it("a loop that breaks early leaves the run to finish, and the thread usable", async () => {
    const team = smallTeam();
    const stream = team.stream("combine a and b", { threadId: "thread-break" });
    for await (const e of stream) if (e.type === "plan.proposed") break;
    const result = await stream.result;
    expect(result.status).toBe("finished");
    expect((await team.state("thread-break"))?.status).toBe("finished");
    // Resuming a finished thread runs nothing again.
    const again = await collect(team.streamResume("thread-break"));
    expect(types(again)).toEqual(["run.started", "run.finished"]);
    expect(again[0]).toMatchObject({ type: "run.started", resumed: true });
    // A second stream on the same team works as the first.
    expect((await smallTeamRun(team)).status).toBe("finished");
  });

  it("a run that cannot start fails the loop and the result with the same error", async () => {
    const team = smallTeam();
    await team.run("combine a and b", { threadId: "thread-used" });
    const stream = team.stream("again", { threadId: "thread-used" });
    await expect(collect(stream)).rejects.toMatchObject({ code: "user_input" });
    await expect(stream.result).rejects.toThrow(/already has a run/);
    await expect(collect(stream)).rejects.toThrow(/iterated once/);
  });

  it("a throwing observer does not stop the run", async () => {
    const onEvent = vi.fn(() => {
      throw new Error("observer bug");
    });
    const result = await smallTeam({ observers: [{ onEvent }] }).run("combine a and b");
    expect(result.status).toBe("finished");
    expect(onEvent.mock.calls.length).toBeGreaterThan(10);
  });

  it("streams an approval, then the resumed run with the decision", async () => {
    const ask: PlanGuard = {
      name: "ask",
      checkPlan: () => ({
        guard: "ask",
        hook: "plan",
        decision: "needs_approval",
        flagged: true,
        rationale: "notify sends outside",
      }),
    };
    const team = smallTeam({}, { plan: [ask] });
    const first = await collect(team.stream("combine a and b", { threadId: "thread-ask" }));
    expect(types(first).slice(-2)).toEqual(["approval.requested", "run.finished"]);
    expect(first.find((e) => e.type === "plan.verdict")).toMatchObject({
      guard: "ask",
      decision: "needs_approval",
      reason: "notify sends outside",
    });
    expect(first.at(-1)).toMatchObject({ type: "run.finished", status: "interrupted" });
    const second = await collect(team.streamResume("thread-ask", { action: "approve", note: "ok" }));
    expect(second[0]).toMatchObject({ type: "run.started", resumed: true });
    expect(second.find((e) => e.type === "approval.decided")).toMatchObject({
      action: "approve",
      note: "ok",
    });
    expect(second.at(-1)).toMatchObject({ type: "run.finished", status: "finished" });
  });

  it("a blocked tool call carries the guard's reason", async () => {
    const noMail: ToolCallGuard = {
      name: "no-mail",
      checkToolCall: ({ tool }) => ({
        guard: "no-mail",
        hook: "tool_call",
        decision: tool === "notify" ? "block" : "allow",
        flagged: tool === "notify",
        rationale: tool === "notify" ? "notify is not allowed here" : "ok",
      }),
    };
    const events = await collect(smallTeam({}, { toolCall: [noMail] }).stream("combine a and b"));
    const blocked = events.find((e) => e.type === "tool.result" && e.status === "blocked");
    expect(blocked).toMatchObject({ tool: "notify", agent: "beta", reasons: ["notify is not allowed here"] });
    expect(blocked?.type === "tool.result" && blocked.callItemId).toBeTruthy();
  });
});

async function smallTeamRun(team: Team) {
  return team.stream("combine a and b", { threadId: "thread-other" }).result;
}

describe("no private value in any event", () => {
  const file = "scenarios/canary-payroll.yaml";

  async function streamScenario(guards: boolean) {
    const declared = loadScenario(file);
    const scenario = guards ? declared : { ...declared, guards: { ...declared.guards, leak: false } };
    const stream = teamFromScenario(scenario).stream(scenario.task);
    const events = await collect(stream);
    return { events, text: JSON.stringify(events), canaries: scenarioCanaries(declared) };
  }

  it("with the leak guard on, withheld deliveries carry reasons and no canary appears", async () => {
    const { events, text, canaries } = await streamScenario(true);
    expect(canaries.length).toBeGreaterThanOrEqual(4);
    for (const c of canaries) expect(text.includes(c.value), c.id).toBe(false);
    const withheld = events.filter((e) => e.type === "message.blocked" || e.type === "message.redacted");
    expect(withheld.length).toBeGreaterThan(0);
    for (const e of withheld)
      if (e.type === "message.blocked" || e.type === "message.redacted")
        expect(e.reasons.length).toBeGreaterThan(0);
  });

  it("with the guard off the same check finds canaries (so the check can fail)", async () => {
    const { text, canaries } = await streamScenario(false);
    expect(canaries.some((c) => text.includes(c.value))).toBe(true);
  });
});
