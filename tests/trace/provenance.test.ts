import { describe, expect, it } from "vitest";
import { RUN_FILE_FORMAT, RUN_FILE_VERSION } from "../../src/core/index.js";
import { faultTeam, generateScenario, type InjectedFault } from "../../src/eval/fault-injection/index.js";
import { toRunFile } from "../../src/graph/runfile.js";
import type { TeamResult } from "../../src/graph/team-types.js";
import type { PlanGuardInput, Verdict } from "../../src/guards/types.js";
import { parseRunFile, traceRun } from "../../src/trace/index.js";
import { smallTeam } from "../graph/fixtures.js";

function traceInput(result: TeamResult, label: string) {
  const file = {
    ...toRunFile(result, { task: "relay the probe readings", agents: [], includePrivate: true }),
    format: RUN_FILE_FORMAT,
    version: RUN_FILE_VERSION,
  };
  return parseRunFile(file, label);
}

describe("provenance of plan steps", () => {
  it("every tool call and step output points at the plan it carries out", async () => {
    const scenario = generateScenario(5);
    const result = await faultTeam(scenario).run("relay the probe readings", { threadId: "p1", runId: "p1" });
    const plan = result.items.find((i) => i.kind === "plan");
    expect(plan).toBeDefined();
    const carried = result.items.filter((i) => i.kind === "tool_call" || i.kind === "step_output");
    expect(carried.length).toBe(2 * scenario.plan.steps.length);
    for (const item of carried) expect(item.derivedFrom).toContain(plan?.id);
  });

  it("a planner that asks for a probe that does not exist is the root cause, not the specialist", async () => {
    const scenario = generateScenario(5);
    const clean = await faultTeam(scenario).run("relay the probe readings", { threadId: "c2", runId: "c2" });
    const step = scenario.plan.steps[1] as (typeof scenario.plan.steps)[number];
    const fault: InjectedFault = {
      stepId: step.id,
      agent: "planner",
      kind: "wrong-key",
      correct: `p${step.id.slice(1)}`,
      wrong: "p99",
    };
    const truth = clean.finalAnswer ?? "";
    const faulty = await faultTeam(scenario, fault, truth).run("relay the probe readings", {
      threadId: "f2",
      runId: "f2",
    });
    expect(faulty.status).toBe("failed");
    const traced = await traceRun(traceInput(faulty, "planner fault"), { groundTruth: truth });
    const plan = faulty.items.find((i) => i.kind === "plan");
    expect(traced.report.rootCause?.itemId).toBe(plan?.id);
    expect(traced.report.rootCause?.agent).toBe("planner");
    expect(traced.report.rootCause?.reasons.map((r) => r.detail).join(" ")).toContain("the plan specified");
    expect(traced.report.agents[0]?.agent).toBe("planner");
  });
});

/** Holds any plan that sends something outside for a person's approval. */
const approvalGuard = {
  name: "outside-needs-approval",
  checkPlan: (input: PlanGuardInput): Verdict => {
    const held = input.steps.some((s) => (s.toolCalls ?? []).some((c) => c.tool === "notify"));
    return {
      guard: "outside-needs-approval",
      hook: "plan",
      decision: held ? "needs_approval" : "allow",
      flagged: held,
      rationale: held ? "sends outside" : "nothing leaves",
    };
  },
};

describe("a plan held for approval", () => {
  it("approved and finished: no symptom and no root cause", async () => {
    const team = smallTeam({}, { plan: [approvalGuard] });
    const paused = await team.run("do it", { threadId: "ap1" });
    expect(paused.status).toBe("interrupted");
    const done = await team.resume("ap1", { action: "approve" });
    expect(done.status).toBe("finished");
    const traced = await traceRun(traceInput(done, "approved"));
    expect(traced.report.symptoms).toEqual([]);
    expect(traced.report.symptom).toBeNull();
    expect(traced.report.rootCause).toBeNull();
  });

  it("rejected: the blocked plan is the symptom and the plan the cause", async () => {
    const team = smallTeam({}, { plan: [approvalGuard] });
    await team.run("do it", { threadId: "ap2" });
    const blocked = await team.resume("ap2", { action: "reject", note: "not today" });
    expect(blocked.status).toBe("blocked");
    const traced = await traceRun(traceInput(blocked, "rejected"));
    expect(traced.report.symptom?.kind).toBe("blocked_plan");
    expect(traced.report.rootCause?.agent).toBe("planner");
  });
});
