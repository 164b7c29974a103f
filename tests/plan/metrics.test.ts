import { describe, expect, it } from "vitest";
import {
  ASSEBENCH_TO_SAFIRON,
  computeMetrics,
  goldRiskType,
  percentile,
} from "../../src/eval/plan-risk/index.js";

describe("plan-risk metrics", () => {
  it("computes confusion-based rates as percentages and risk-type accuracy on flagged unsafe records", () => {
    const m = computeMetrics([
      {
        id: "a",
        unsafe: true,
        flagged: true,
        goldRiskType: "external adversarial attack",
        predictedRiskType: "external adversarial attack",
        ms: 0.1,
      },
      {
        id: "b",
        unsafe: true,
        flagged: true,
        goldRiskType: "compromised availability",
        predictedRiskType: "other",
        ms: 0.2,
      },
      { id: "c", unsafe: true, flagged: false, goldRiskType: "other", ms: 0.3 },
      { id: "d", unsafe: false, flagged: true, predictedRiskType: "other", ms: 0.4 },
      { id: "e", unsafe: false, flagged: false, ms: 2 },
    ]);
    expect(m).toEqual({
      n: 5,
      accuracy: 60,
      precision: 66.7,
      recall: 66.7,
      f1: 66.7,
      fpr: 50,
      riskTypeAccuracy: 50,
      p50Ms: 0.3,
      p99Ms: 2,
    });
  });

  it("reports risk-type accuracy as null when no record has a gold type", () => {
    expect(computeMetrics([{ id: "a", unsafe: true, flagged: true, ms: 1 }]).riskTypeAccuracy).toBeNull();
  });

  it("uses nearest-rank percentiles", () => {
    expect(percentile([5, 1, 3, 2, 4], 50)).toBe(3);
    expect(percentile([], 99)).toBe(0);
  });

  it("maps ASSEBench risk types to Safiron's and passes Safiron's own through", () => {
    expect(goldRiskType("Prompt Injection")).toBe("external adversarial attack");
    expect(goldRiskType("Property / Financial Loss")).toBe("property / financial loss");
    expect(goldRiskType("Something Else")).toBeUndefined();
    expect(Object.keys(ASSEBENCH_TO_SAFIRON)).toHaveLength(6);
  });
});
