import { describe, expect, it } from "vitest";
import { UserInputError } from "../../src/core/index.js";
import { parseDefense } from "../../src/eval/compositional/index.js";

const owners = new Map<string, string[]>([
  ["ward_roster", ["Bea"]],
  ["shift_log", ["Cal"]],
  ["pager_numbers", ["Alice"]],
  ["shared_notes", ["Bea", "Cal"]],
]);
const where = { file: "s.json" };
const parse = (s: string) => parseDefense(s, owners, where);

function thrown(fn: () => unknown): UserInputError {
  try {
    fn();
  } catch (error) {
    if (error instanceof UserInputError) return error;
    throw error;
  }
  throw new Error("expected a UserInputError");
}

describe("parseDefense", () => {
  it("reads a bare comma list with a final 'and'", () => {
    expect(
      parse(
        "A combination of ward_roster, shift_log, and pager_numbers is sensitive and no single person should have access to all of these.",
      ),
    ).toEqual([
      { owner: "Bea", table: "ward_roster" },
      { owner: "Cal", table: "shift_log" },
      { owner: "Alice", table: "pager_numbers" },
    ]);
  });

  it("reads Owner's 'table' with curly quotes, and disambiguates a shared name by its owner", () => {
    expect(
      parse("A combination of Cal\u2019s \u2018shared_notes\u2019 and \u2018ward_roster\u2019 is sensitive."),
    ).toEqual([
      { owner: "Cal", table: "shared_notes" },
      { owner: "Bea", table: "ward_roster" },
    ]);
  });

  it("drops a closed reasoning trace and reads the sentence after it", () => {
    expect(
      parse(
        "<think>maybe the combination of shift_log and ward_roster is sensitive?</think>\nThe combination of shift_log and pager_numbers is considered sensitive.",
      ),
    ).toEqual([
      { owner: "Cal", table: "shift_log" },
      { owner: "Alice", table: "pager_numbers" },
    ]);
  });

  it("an unfinished reasoning trace is an error on the defense field with a hint", () => {
    const e = thrown(() => parse("<think>\nwhich tables? maybe ward_roster, maybe"));
    expect(e.file).toBe("s.json");
    expect(e.field).toBe("defense");
    expect(e.message).toMatch(/unfinished reasoning trace/);
    expect(e.hint).toMatch(/A combination of/);
  });

  it("a sentence without a combination is an error", () => {
    const e = thrown(() => parse("Names and shifts should be protected."));
    expect(e.field).toBe("defense");
    expect(e.message).toMatch(/combination of/);
  });

  it("an unknown table, a wrong owner and an ambiguous name are errors naming the table", () => {
    expect(thrown(() => parse("A combination of ward_roster and door_codes is sensitive.")).message).toMatch(
      /door_codes/,
    );
    expect(
      thrown(() => parse("A combination of Bea's 'shift_log' and ward_roster is sensitive.")).hint,
    ).toMatch(/held by Cal/);
    expect(thrown(() => parse("A combination of shared_notes and ward_roster is sensitive.")).hint).toMatch(
      /Bea's 'shared_notes'/,
    );
  });

  it("lists a table named twice once", () => {
    expect(parse("A combination of shift_log, shift_log and ward_roster is sensitive.")).toHaveLength(2);
  });
});

describe("parseDefense, other wordings", () => {
  it("reads 'combining ... together are sensitive' and 'table (Owner)'", () => {
    expect(
      parseDefense("Combining ward_roster and shared_notes (Cal) together are sensitive.", owners, where),
    ).toEqual([
      { owner: "Bea", table: "ward_roster" },
      { owner: "Cal", table: "shared_notes" },
    ]);
    expect(
      parseDefense(
        "A combination of the shift_log table and pager_numbers (held by Alice) would be sensitive.",
        owners,
        where,
      ),
    ).toEqual([
      { owner: "Cal", table: "shift_log" },
      { owner: "Alice", table: "pager_numbers" },
    ]);
  });
});
