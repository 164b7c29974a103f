import { fileURLToPath } from "node:url";
import { describe, expect, it } from "vitest";
import { UserInputError } from "../../src/core/index.js";
import { loadMagpie, parseTsv } from "../../src/eval/magpie/loader.js";
import { penaltiesInText, summarisePenalties } from "../../src/eval/magpie/penalties.js";
import { publicTextOf } from "../../src/eval/magpie/schema.js";

const fixture = (name: string) => fileURLToPath(new URL(`./fixtures/${name}`, import.meta.url));

describe("loadMagpie: JSON lines", () => {
  const result = loadMagpie(fixture("rows.jsonl"));

  it("loads the valid rows and reports the malformed ones with line and field", () => {
    expect(result.scenarios.map((s) => s.id)).toEqual(["garden_1", "studio_2", "canteen_3"]);
    expect(result.rows).toBe(4);
    expect(result.problems).toEqual([
      expect.objectContaining({ line: 5, field: "(line)" }),
      expect.objectContaining({ line: 4, field: "agents.1.name" }),
    ]);
  });

  it("reads private_preferences and private_information alike", () => {
    const studio = result.scenarios[1];
    expect(studio?.agents.map((a) => a.private.map((p) => p.id))).toEqual([
      ["Tess Moreau/second_band"],
      ["Ike Adeyemi/debt"],
      ["Lin Zhou/label_interest"],
    ]);
    const canteen = result.scenarios[2];
    expect(canteen?.agents[1]?.private).toEqual([]);
  });

  it("extracts penalties written inside the value text", () => {
    const ola = result.scenarios[0]?.agents[0]?.private[0];
    expect(ola?.penalty.origin).toBe("text");
    expect(ola?.penalty.full).toBe(-2);
    expect(ola?.penalty.partial).toBe(-0.5);
    expect(ola?.penalty.penalties.map((p) => p.level)).toEqual(["partial", "full"]);
    const ravi = result.scenarios[0]?.agents[1]?.private[0];
    expect(ravi?.penalty.full).toBe(-1);
    expect(ravi?.penalty.penalties[0]?.text).toContain("Revealing the grant");
  });

  it("extracts penalties from the explicit key shapes and keeps their text", () => {
    const [tess, ike, lin] = result.scenarios[1]?.agents ?? [];
    // penalty_for_sharing as a map of description -> amount
    expect(tess?.private[0]?.penalty).toMatchObject({ full: -3, partial: -1, origin: "explicit" });
    expect(tess?.private[0]?.penaltyFields).toHaveProperty("penalty_for_sharing");
    // penalty_for_sharing as a bare amount
    expect(ike?.private[0]?.penalty).toMatchObject({ full: -1.5, partial: -0.75, origin: "explicit" });
    // penalty as prose with several amounts
    expect(lin?.private[0]?.penalty).toMatchObject({ full: -5, partial: -2 });
    // penalty as a map with prose keys
    const mo = result.scenarios[2]?.agents[0]?.private[0];
    expect(mo?.penalty).toMatchObject({ full: -2, partial: -1 });
  });

  it("falls back to a default penalty when none is stated", () => {
    const june = result.scenarios[0]?.agents[2]?.private[0];
    expect(june?.penalty).toMatchObject({ full: -1, partial: -0.5, origin: "default" });
  });

  it("normalises criteria and constraints", () => {
    const garden = result.scenarios[0];
    expect(garden?.successCriteria).toEqual([
      "unanimous: All three agree.",
      "budget: A dollar figure for tools.",
    ]);
    expect(garden?.constraints.hidden).toEqual(["Ola is leaving."]);
    expect(publicTextOf(garden!)).toContain("36 square metres");
    expect(publicTextOf(garden!)).not.toContain("Bergen");
  });
});

describe("loadMagpie: TSV, one file per scenario, folders", () => {
  it("parses JSON columns and reports a cell that holds broken JSON", () => {
    const r = loadMagpie(fixture("rows.tsv"));
    expect(r.scenarios.map((s) => s.id)).toEqual(["garden_1", "canteen_3"]);
    expect(r.problems).toEqual([expect.objectContaining({ line: 3, field: "agents" })]);
    expect(r.scenarios[0]?.agents[1]?.private[0]?.penalty.full).toBe(-1);
  });

  it("reads a folder recursively; a one-scenario file is named after the file", () => {
    const r = loadMagpie(fixture("scenarios"));
    expect(r.scenarios.map((s) => s.id)).toEqual(["canteen", "garden_1"]);
    expect(r.problems).toEqual([]);
  });

  it("names a missing path as the user's mistake", () => {
    expect(() => loadMagpie(fixture("nope.jsonl"))).toThrow(UserInputError);
  });

  it("handles quoted TSV cells with tabs, newlines and doubled quotes", () => {
    const rows = parseTsv('a\tb\n"x\ty"\t"say ""hi""\nthere"\nlast\trow');
    expect(rows).toEqual([
      { line: 1, cells: ["a", "b"] },
      { line: 2, cells: ["x\ty", 'say "hi"\nthere'] },
      { line: 4, cells: ["last", "row"] },
    ]);
  });
});

describe("penalty text", () => {
  it("reads 'carries a -2 penalty' and '(Penalty: -2)' forms and ignores ranges", () => {
    const p = penaltiesInText(
      "It takes 4-6 weeks. Revealing the bonus carries a -1 penalty (bragging). Admitting the loss (Penalty: -2).",
      "value",
      false,
    );
    expect(p.map((x) => x.amount)).toEqual([-1, -2]);
  });

  it("a hint penalty never exceeds the full one", () => {
    const s = summarisePenalties("Hinting costs (penalty: -3) and revealing costs (penalty: -1).", {});
    expect(s.full).toBe(-3);
    expect(s.partial).toBe(-3);
  });
});
