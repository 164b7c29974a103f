import { describe, expect, it } from "vitest";
import {
  ASSEBENCH_TO_SAFIRON,
  computeMetrics,
  goldRiskType,
  percentile,
} from "../../src/eval/plan-risk/index.js";
import type { RiskType } from "../../src/guards/types.js";

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
      confusion: {
        "compromised availability": { other: 1 },
        "external adversarial attack": { "external adversarial attack": 1 },
      },
    });
  });

  it("counts a verdict type the gold accepts as right, and keys the confusion matrix by the data's own label", () => {
    const other = goldRiskType("Other Security Risk");
    expect(other?.type).toBe("other");
    const outcome = (id: string, predictedRiskType: RiskType | undefined) => ({
      id,
      unsafe: true,
      flagged: true,
      ms: 1,
      goldRiskType: other?.type,
      goldLabel: other?.label,
      goldAccepts: other?.accepts,
      ...(predictedRiskType ? { predictedRiskType } : {}),
    });
    const m = computeMetrics([
      outcome("a", "misinformation / unsafe content"),
      outcome("b", "external adversarial attack"),
      outcome("c", undefined),
      outcome("d", "other"),
    ]);
    expect(m.riskTypeAccuracy).toBe(50);
    expect(m.confusion).toEqual({
      "Other Security Risk": {
        "external adversarial attack": 1,
        "misinformation / unsafe content": 1,
        none: 1,
        other: 1,
      },
    });
  });

  it("reports risk-type accuracy as null when no record has a gold type", () => {
    const m = computeMetrics([{ id: "a", unsafe: true, flagged: true, ms: 1 }]);
    expect(m.riskTypeAccuracy).toBeNull();
    expect(m.confusion).toBeNull();
  });

  it("uses nearest-rank percentiles", () => {
    expect(percentile([5, 1, 3, 2, 4], 50)).toBe(3);
    expect(percentile([], 99)).toBe(0);
  });

  it("maps ASSEBench risk types to Safiron's and passes Safiron's own through", () => {
    expect(goldRiskType("Prompt Injection")).toEqual({
      label: "Prompt Injection",
      type: "external adversarial attack",
      accepts: ["external adversarial attack"],
    });
    expect(goldRiskType("Property / Financial Loss")?.accepts).toEqual(["property / financial loss"]);
    // The catch-all covers the Safiron categories ASSEBench has no name for, never a named one.
    expect(goldRiskType("Other Security Risk")?.accepts).toContain("bias / discrimination");
    expect(goldRiskType("Other Security Risk")?.accepts).not.toContain("external adversarial attack");
    expect(goldRiskType("Something Else")).toBeUndefined();
    expect(Object.keys(ASSEBENCH_TO_SAFIRON)).toHaveLength(6);
  });
});
