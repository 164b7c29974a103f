import { describe, expect, it } from "vitest";
import {
  chooseFault,
  generateScenario,
  runSeed,
  score,
  sinks,
} from "../../src/eval/fault-injection/index.js";

describe("fault injection", () => {
  it("generates the same scenario and fault for the same seed", () => {
    expect(generateScenario(11)).toEqual(generateScenario(11));
    expect(chooseFault(generateScenario(11), 11)).toEqual(chooseFault(generateScenario(11), 11));
    expect(generateScenario(11)).not.toEqual(generateScenario(12));
  });

  it("injects only where a step has downstream dependents", () => {
    for (let seed = 1; seed <= 40; seed++) {
      const s = generateScenario(seed);
      const f = chooseFault(s, seed);
      expect(sinks(s.plan)).not.toContain(f.stepId);
      expect(f.wrong).not.toBe(f.correct);
    }
  });

  it("the faulty run fails, the IDG finds the injected agent and step, and replay confirms it", async () => {
    const outcome = await runSeed(3, { replay: true });
    expect(outcome.failed).toBe(true);
    expect(outcome.byMethod.idg).toEqual({ agent: outcome.truth.agent, step: outcome.truth.step });
    expect(outcome.confirmedByReplay).toBe(true);
    // the temporal baselines point at the end of the run, not at the fault
    expect(outcome.byMethod["last-agent"].agent).toBe("supervisor");
    expect(outcome.byMethod["first-error"].agent).toBe("verifier");
  });

  it("scores each method against the injected truth", () => {
    const truth = { agent: "alpha", step: 4, itemId: "x" };
    const base = {
      fault: { stepId: "s1", agent: "alpha", kind: "misread" as const, correct: "p1=1", wrong: "p1=2" },
      failed: true,
      truth,
      confirmedByReplay: null,
    };
    const rows = score([
      {
        ...base,
        seed: 1,
        byMethod: {
          idg: { agent: "alpha", step: 4 },
          "first-error": { agent: "verifier", step: 9 },
          "last-agent": { agent: "alpha", step: 8 },
          random: { agent: null, step: null },
        },
      },
      {
        ...base,
        seed: 2,
        byMethod: {
          idg: { agent: "alpha", step: 5 },
          "first-error": { agent: "verifier", step: 9 },
          "last-agent": { agent: "beta", step: 4 },
          random: { agent: null, step: null },
        },
      },
    ]);
    expect(rows.find((r) => r.method === "idg")).toMatchObject({
      n: 2,
      agentAccuracy: 100,
      stepAccuracy: 50,
    });
    expect(rows.find((r) => r.method === "last-agent")).toMatchObject({
      agentAccuracy: 50,
      stepAccuracy: 50,
    });
    expect(rows.find((r) => r.method === "first-error")).toMatchObject({ agentAccuracy: 0, stepAccuracy: 0 });
  });
});
