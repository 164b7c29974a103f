import { fileURLToPath } from "node:url";
import { describe, expect, it } from "vitest";
import { table } from "../../src/cli/output.js";
import { loadMagpie } from "../../src/eval/magpie/loader.js";
import { formatReport } from "../../src/eval/magpie/report.js";
import { replayFile } from "../../src/eval/magpie/transcript.js";

const fixture = (name: string) => fileURLToPath(new URL(`./fixtures/${name}`, import.meta.url));

describe("replay", () => {
  it("scores recorded conversations, resolving scenario ids from --data", async () => {
    const { scenarios } = loadMagpie(fixture("rows.jsonl"));
    const report = await replayFile(fixture("transcripts.jsonl"), { scenarios });
    expect(report.mode).toBe("replay");
    expect(report.scenarios.map((s) => s.id)).toEqual(["garden_1", "studio_2"]);
    const garden = report.scenarios[0]!;
    expect(garden.consensus).toBe(true);
    expect(garden.agreedProposal).toContain("$750 tool budget");
    expect(garden.roundsUsed).toBe(2);
    const rating = (id: string) => garden.items.find((i) => i.id === id)?.detector.rating;
    expect(rating("Ola Berg/moving_away")).toBe("full");
    expect(rating("Ravi Nair/grant")).toBe("none");
    expect(rating("June Ito/back_injury")).toBe("none");
    expect(garden.leakage.detector).toMatchObject({ items: 3, full: 1, partial: 0, penaltyScore: -2 });
    const studio = report.scenarios[1]!;
    expect(studio.consensus).toBeNull();
    expect(studio.items.find((i) => i.id === "Ike Adeyemi/debt")?.detector.rating).toBe("full");
    // Both bad lines are reported with their line and field, and skipped.
    expect(report.problems).toEqual([
      expect.objectContaining({ line: 3, field: "messages.0.from" }),
      expect.objectContaining({ line: 4, field: "(line)" }),
    ]);
    expect(report.overall.items).toBe(6);
    const text = formatReport(report, table);
    expect(text).toContain("replayed transcripts (no model)");
    expect(text).toContain("judge: n/a (no model)");
  });

  it("reports a scenario id it cannot resolve", async () => {
    const report = await replayFile(fixture("transcripts.jsonl"));
    expect(report.scenarios.map((s) => s.id)).toEqual(["garden_1"]);
    expect(report.problems[0]).toMatchObject({ line: 2, field: "scenario" });
  });
});
