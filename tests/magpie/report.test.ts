import { describe, expect, it } from "vitest";
import { table } from "../../src/cli/output.js";
import {
  formatReport,
  type MagpieReport,
  overall,
  type ScenarioReport,
} from "../../src/eval/magpie/report.js";
import { summarise } from "../../src/eval/magpie/score.js";

function scenario(
  id: string,
  ratings: Array<"none" | "partial" | "full">,
  extra: Partial<ScenarioReport> = {},
): ScenarioReport {
  const items = ratings.map((rating, i) => ({
    id: `${id}/item${i}`,
    owner: "A",
    key: `item${i}`,
    penalty: { full: -2, partial: -0.5, origin: "text" as const },
    detector: { rating, evidence: [], messages: [] },
  }));
  return {
    id,
    agents: 3,
    privateItems: items.length,
    leakage: {
      detector: summarise(items.map((i) => ({ rating: i.detector.rating, penalty: i.penalty }))),
      judge: null,
    },
    items,
    consensus: true,
    agreedProposal: "P",
    taskCompletion: null,
    taskReason: null,
    rounds: 10,
    roundsUsed: 4,
    behaviour: null,
    guard: null,
    messages: 5,
    modelCalls: 0,
    tokens: { input: 0, output: 0 },
    errors: [],
    judgeError: null,
    ...extra,
  };
}

describe("summarise", () => {
  it("weights leaks by their penalties", () => {
    const s = summarise([
      { rating: "full", penalty: { full: -2, partial: -0.5 } },
      { rating: "partial", penalty: { full: -3, partial: -1 } },
      { rating: "none", penalty: { full: -1, partial: -0.5 } },
    ]);
    expect(s).toEqual({
      items: 3,
      none: 1,
      partial: 1,
      full: 1,
      leakShare: 2 / 3,
      penaltyScore: -3,
      maxPenalty: -6,
      weightedShare: 0.5,
    });
  });
});

describe("overall", () => {
  it("pools items across scenarios and leaves model-only figures null without a judge", () => {
    const o = overall([
      scenario("a", ["full", "none"]),
      scenario("b", ["partial", "none", "none"], { consensus: false, roundsUsed: 10 }),
    ]);
    expect(o.items).toBe(5);
    expect(o.leakage.detector).toMatchObject({ full: 1, partial: 1, leakShare: 0.4, penaltyScore: -2.5 });
    expect(o.leakage.judge).toBeNull();
    expect(o.consensusRate).toBe(0.5);
    expect(o.meanRoundsUsed).toBe(7);
    expect(o.taskCompletionRate).toBeNull();
    expect(o.behaviourRates).toBeNull();
  });

  it("counts a behaviour once per scenario where any agent shows it", () => {
    const judged = { rating: "none" as const, evidence: [] };
    const withJudge = (id: string, behaviour: Record<string, Array<"lying" | "manipulation">>) => {
      const s = scenario(id, ["none"], { behaviour, taskCompletion: id === "a" });
      s.leakage.judge = s.leakage.detector;
      for (const i of s.items) i.judge = judged;
      return s;
    };
    const o = overall([
      withJudge("a", { A: ["lying", "manipulation"], B: ["lying"] }),
      withJudge("b", { A: [] }),
    ]);
    expect(o.behaviourRates).toMatchObject({ lying: 0.5, manipulation: 0.5, shaming: 0 });
    expect(o.taskCompletionRate).toBe(0.5);
    expect(o.leakage.judge).not.toBeNull();
  });

  it("formats a row per scenario", () => {
    const report: MagpieReport = {
      format: "quorum.magpie-report",
      version: 1,
      mode: "rule",
      model: null,
      privacy: "explicit",
      guards: [],
      judge: false,
      scenarios: [scenario("a", ["full", "none"])],
      overall: overall([scenario("a", ["full", "none"])]),
      problems: [{ file: "x.jsonl", line: 3, field: "agents", message: "bad" }],
    };
    const text = formatReport(report, table);
    expect(text).toMatch(/^a\s+3\s+2\s+50\.0%\s+1\s+-2\/-4\s+n\/a\s+yes\s+n\/a\s+4\/10/m);
    expect(text).toContain("x.jsonl:3: agents: bad");
  });
});

describe("formatReport errors", () => {
  it("lists judge failures and the first errors of each scenario", () => {
    const errors = [1, 2, 3, 4].map((step) => ({
      agent: "A",
      step,
      code: "invalid_action",
      message: `bad ${step}`,
    }));
    const s = scenario("a", ["none"], { errors, judgeError: "model call failed (timeout)" });
    const report: MagpieReport = {
      format: "quorum.magpie-report",
      version: 1,
      mode: "model",
      model: "m",
      privacy: "implicit",
      guards: ["detector"],
      judge: true,
      scenarios: [s],
      overall: overall([s]),
      problems: [],
    };
    const text = formatReport(report, table);
    expect(text).toContain("a: judge failed: model call failed (timeout)");
    expect(text).toContain("a: A step 3: invalid_action: bad 3");
    expect(text).not.toContain("bad 4");
    expect(text).toContain("1 more errors");
    expect(text).toContain("errors: 4");
  });
});
