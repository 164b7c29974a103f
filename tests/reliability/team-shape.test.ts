// Issue 21 point 10: guards that fit the team's shape. Trusted recipients declared in the team (or
// the scenario) do not count as holders; a withheld output is not retried and the run's reason
// names the guard that withheld it.
import { readFileSync } from "node:fs";
import { describe, expect, it } from "vitest";
import type { TeamConfig } from "../../src/graph/index.js";
import { parseScenario } from "../../src/graph/scenario.js";
import { createPlanGuard } from "../../src/guards/plan/index.js";
import { TomGuard } from "../../src/guards/privacy/index.js";
import type { Verdict } from "../../src/guards/types.js";
import { TWO_TABLE_POLICY, twoTableTeam } from "./two-tables.js";

const team = (extra: Partial<TeamConfig> = {}) =>
  twoTableTeam({
    extra: {
      guards: { message: [new TomGuard({ policy: TWO_TABLE_POLICY })], plan: [createPlanGuard()] },
      ...extra,
    },
  });

const outputsOf = (items: Array<{ kind: string; labels: string[] }>, step: string) =>
  items.filter((i) => i.kind === "step_output" && i.labels.includes(`plan-step:${step}`));

describe("a withheld output", () => {
  it("is not retried, and the run ends blocked naming the guard that withheld it", async () => {
    const r = await team().run("report", { threadId: "w1" });
    expect(r.status).toBe("blocked");
    expect(outputsOf(r.items, "b")).toHaveLength(1);
    expect(r.items.filter((i) => i.kind === "plan")).toHaveLength(1);
    expect(r.reason).toMatch(/^step b's output was withheld by guard tom: .*would hold 2 of 2/);
    expect(r.reason).not.toMatch(/plan/);
  });
});

describe("trusted recipients", () => {
  it("do not count as holders; what leaves them is still checked, by provenance", async () => {
    const r = await team({ trustedRecipients: ["verifier", "supervisor"] }).run("report", { threadId: "t1" });
    // Both steps reach the verifier and the supervisor, and pass.
    for (const step of ["a", "b"]) {
      const out = outputsOf(r.items, step);
      expect(out).toHaveLength(1);
      expect(out[0]?.labels).not.toContain("withheld");
    }
    // The final answer is built from both tables and would give the user all of L.
    expect(r.status).toBe("blocked");
    expect(r.reason).toMatch(/^the final answer was withheld by guard tom: user would hold 2 of 2/);
    const verdicts = r.items.filter((i) => i.kind === "verdict").map((i) => i.content as Verdict);
    expect(
      verdicts.filter((v) => v.guard === "tom").every((v) => !/verifier|supervisor/.test(v.rationale)),
    ).toBe(true);
  });

  it("an unknown trusted name is refused", () => {
    expect(() => team({ trustedRecipients: ["nobody"] })).toThrow(/unknown trusted recipient nobody/);
  });

  it("are declared in a scenario under guards.trusted", () => {
    const text = readFileSync("scenarios/vendor-check.yaml", "utf8");
    const ok = parseScenario(
      text.replace("guards: {", "guards: { trusted: [verifier, supervisor],"),
      "s.yaml",
    );
    expect(ok.guards.trusted).toEqual(["verifier", "supervisor"]);
    expect(() => parseScenario(text.replace("guards: {", "guards: { trusted: [ghost],"), "s.yaml")).toThrow(
      /unknown agent ghost/,
    );
  });
});
