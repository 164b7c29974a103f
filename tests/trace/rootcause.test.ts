import { describe, expect, it } from "vitest";
import {
  applyReplay,
  buildIdg,
  confirmByReplay,
  findRootCause,
  parseRunFile,
  parseWhoAndWhen,
  type ReplayRequest,
} from "../../src/trace/index.js";
import { crashRecord, ferryRecord, festivalRecord, revenueRun } from "./fixtures.js";

function traceOf(input: ReturnType<typeof parseRunFile>, groundTruth?: string) {
  const idg = buildIdg(input);
  return findRootCause(input, idg, groundTruth !== undefined ? { groundTruth } : {});
}

describe("root cause on our own run", () => {
  it("blames the item that introduced the rejected value, not the one that repeated it", () => {
    const report = traceOf(parseRunFile(revenueRun(), "run.json"));
    expect(report.symptom?.kind).toBe("failed_verification");
    expect(report.rootCause?.itemId).toBe("rev-step_output-6");
    expect(report.rootCause?.agent).toBe("analyst");
    expect(report.rootCause?.status).toBe("suspect");
    const signals = report.rootCause?.reasons.map((r) => r.signal);
    expect(signals).toContain("verifier_rejection");
    expect(signals).toContain("wrong_value_origin");
    expect(report.rootCause?.chain).toEqual([
      "rev-step_output-6",
      "rev-final_answer-7",
      "rev-verification-8",
    ]);
    // The verification caught the failure; it is not a candidate.
    expect(report.candidates.map((c) => c.itemId)).not.toContain("rev-verification-8");
    expect(report.notCauses.map((n) => n.itemId)).toContain("rev-verification-8");
    expect(report.agents[0]?.agent).toBe("analyst");
  });

  it("with the ground truth, the wrong final answer is the symptom and the contradiction is a reason", () => {
    const report = traceOf(parseRunFile(revenueRun(), "run.json"), "1200 EUR");
    expect(report.finalAnswerCorrect).toBe(false);
    expect(report.symptom?.kind).toBe("wrong_final_answer");
    expect(report.rootCause?.itemId).toBe("rev-step_output-6");
    expect(report.rootCause?.reasons.map((r) => r.signal)).toContain("contradicts_ground_truth");
  });

  it("a correct final answer is not contradicted", () => {
    const report = traceOf(parseRunFile(revenueRun(), "run.json"), "1300 EUR");
    expect(report.finalAnswerCorrect).toBe(true);
    expect(report.rootCause?.reasons.map((r) => r.signal)).not.toContain("contradicts_ground_truth");
  });
});

describe("root cause on imported logs of our own", () => {
  it("blames the agent whose code crashed, not the terminal that printed the error", () => {
    const input = parseWhoAndWhen(crashRecord(), "crash.json");
    const report = traceOf(input);
    expect(report.rootCause?.agent).toBe("Python_Expert");
    expect(report.rootCause?.step).toBe(1);
    const reason = report.rootCause?.reasons.find((r) => r.signal === "tool_error");
    expect(reason?.seenAt).toBe("s2");
    expect(report.notCauses.some((n) => n.itemId === "s2" && /tool output/.test(n.why))).toBe(true);
  });

  it("blames the hedged claim whose invented value reaches the answer", () => {
    const input = parseWhoAndWhen(festivalRecord(), "festival.json");
    const report = traceOf(input);
    expect(report.rootCause?.agent).toBe("Math_Expert");
    expect(report.rootCause?.step).toBe(3);
    const signals = report.rootCause?.reasons.map((r) => r.signal);
    // The record carries its ground truth (15400), so the invented 7900 contradicts it.
    expect(report.groundTruthUsed).toBe(true);
    expect(signals).toEqual(
      expect.arrayContaining(["hedged_claim", "contradicts_ground_truth", "unsupported_claim"]),
    );
    // The closing TERMINATE is a control word: the symptom is the conclusion before it.
    expect(report.symptom?.itemId).toBe("s4");
  });

  it("names the first appearance of the wrong answer's value when that evidence dominates", () => {
    const input = parseWhoAndWhen(ferryRecord(), "ferry.json");
    const report = traceOf(input, "Blue Heron");
    expect(report.finalAnswerCorrect).toBe(false);
    expect(report.rootCause?.agent).toBe("WebSurfer");
    expect(report.rootCause?.step).toBe(3);
    expect(report.rootCause?.reasons.map((r) => r.signal)).toContain("contradicts_ground_truth");
  });

  it("never blames a tool output or the task", () => {
    for (const rec of [crashRecord(), festivalRecord(), ferryRecord()]) {
      const input = parseWhoAndWhen(rec, "x.json");
      const idg = buildIdg(input);
      const report = findRootCause(input, idg);
      for (const c of report.candidates) expect(idg.node(c.itemId)?.role).toBe("agent");
    }
  });
});

describe("replay hook", () => {
  it("marks a candidate confirmed and makes it the root cause", () => {
    const report = traceOf(parseRunFile(revenueRun(), "run.json"));
    const second = report.candidates[1];
    expect(second).toBeDefined();
    const updated = applyReplay(report, second?.itemId ?? "", {
      fixed: true,
      detail: "answer correct after re-run",
    });
    expect(updated.rootCause?.itemId).toBe(second?.itemId);
    expect(updated.rootCause?.status).toBe("confirmed");
    expect(updated.rootCause?.replay?.detail).toBe("answer correct after re-run");
    const refuted = applyReplay(report, report.candidates[0]?.itemId ?? "", {
      fixed: false,
      detail: "still wrong",
    });
    expect(refuted.candidates[0]?.status).toBe("refuted");
  });

  it("replays candidates in rank order and stops at the first that fixes the run", async () => {
    const input = parseRunFile(revenueRun(), "run.json");
    const report = traceOf(input);
    const asked: string[] = [];
    const replay = async (req: ReplayRequest) => {
      asked.push(req.candidate.itemId);
      return {
        fixed: req.candidate.itemId === "rev-step_output-6",
        detail: `re-ran from before ${req.candidate.itemId}`,
      };
    };
    const out = await confirmByReplay(report, input, replay, { corrected: () => "Q3 revenue is 1200 EUR" });
    expect(asked).toEqual(["rev-step_output-6"]);
    expect(out.rootCause?.status).toBe("confirmed");
  });
});
