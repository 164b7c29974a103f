import { describe, expect, it } from "vitest";
import { type LabelledRecord, leaveOneOut, ledgerReadings } from "../../src/eval/who-and-when/index.js";
import { DEFAULT_LEDGER_READING, parseWhoAndWhen } from "../../src/trace/index.js";
import { stallHistory } from "../trace/ledger-fixtures.js";

function records(step: number, n: number): LabelledRecord[] {
  return Array.from({ length: n }, (_, i) => {
    const input = parseWhoAndWhen(
      {
        question: "How many lighthouses does the Corvel coast list?",
        history: stallHistory().map(([role, content]) => ({ role, content })),
      },
      `r${i}.json`,
    );
    return { file: `r${i}.json`, split: "hand-crafted", input, mistakeAgent: "WebSurfer", mistakeStep: step };
  });
}

describe("leave-one-out over the ledger readings", () => {
  it("lists every combination once, the default first", () => {
    const all = ledgerReadings();
    expect(all[0]).toEqual(DEFAULT_LEDGER_READING);
    expect(new Set(all.map((r) => JSON.stringify(r))).size).toBe(all.length);
    expect(all).toHaveLength(8);
  });

  it("chooses on the other records a reading that the labels favour, and scores it on the one left out", () => {
    // labelled at the action right before the stalled ledger: only readings without the pull-back hit it
    const loo = leaveOneOut(records(13, 3), false);
    expect(loo.stepAccuracy).toBe(100);
    const chosen = loo.readings.filter((_, v) => (loo.chosen[v] ?? 0) > 0);
    expect(chosen.every((r) => !r.pullBackSamePage)).toBe(true);
  });

  it("keeps the default when nothing beats it", () => {
    const loo = leaveOneOut(records(10, 3), false);
    expect(loo.stepAccuracy).toBe(100);
    expect(loo.chosen[0]).toBe(3);
  });
});
