import { describe, expect, it } from "vitest";
import { matchesFilter, parseFilter, parseStep, type TableData } from "../../src/eval/compositional/index.js";

const t = (columns: string[]): TableData => ({ sensitivity: "non-sensitive", rows: [], columns });
const tables = {
  Alice: { kiosk_sales: t(["kiosk", "units", "day"]) },
  Bea: { kiosk_staff: t(["kiosk", "staff_id"]), staff_names: t(["staff_id", "name"]) },
};
const owners = new Map<string, string[]>([
  ["kiosk_sales", ["Alice"]],
  ["kiosk_staff", ["Bea"]],
  ["staff_names", ["Bea"]],
]);
const where = { file: "f", field: "steps.0" };

describe("parseStep", () => {
  it("reads Owner's 'table' and a filter on a real column", () => {
    expect(
      parseStep("From Alice's 'kiosk_sales', keep rows where units > 1,500.", owners, tables, where),
    ).toEqual([{ owner: "Alice", table: "kiosk_sales", filter: { column: "units", op: ">", value: 1500 } }]);
  });

  it("resolves a quoted table named without its owner, and ignores quoted column names", () => {
    expect(parseStep("Join with 'staff_names' on 'staff_id'.", owners, tables, where)).toEqual([
      { owner: "Bea", table: "staff_names" },
    ]);
  });

  it("credits a table to the agent that holds it when the step names the wrong one", () => {
    expect(parseStep("From Alice's 'kiosk_staff', map kiosks.", owners, tables, where)).toEqual([
      { owner: "Bea", table: "kiosk_staff" },
    ]);
  });

  it("a step that names no table is local, and two tables get no filter", () => {
    expect(parseStep("Combine the results.", owners, tables, where)).toEqual([]);
    expect(
      parseStep("Join Bea's 'kiosk_staff' with Bea's 'staff_names' where kiosk = K2.", owners, tables, where),
    ).toEqual([
      { owner: "Bea", table: "kiosk_staff" },
      { owner: "Bea", table: "staff_names" },
    ]);
  });

  it("an unknown table named with an owner is an error on the step's field", () => {
    expect(() => parseStep("From Bea's 'badge_log', read.", owners, tables, where)).toThrow(/badge_log/);
  });
});

describe("filters", () => {
  it("parses 'col' is 'value' and applies it case-insensitively", () => {
    const f = parseFilter("filter rows where 'day' is 'Sat'", ["day"]);
    expect(f).toEqual({ column: "day", op: "=", value: "Sat" });
    expect(matchesFilter({ day: "sat" }, f as NonNullable<typeof f>)).toBe(true);
    expect(matchesFilter({ day: "Sun" }, f as NonNullable<typeof f>)).toBe(false);
  });

  it("compares numbers and never matches a non-number", () => {
    const f = { column: "units", op: ">=" as const, value: 10 };
    expect(matchesFilter({ units: 10 }, f)).toBe(true);
    expect(matchesFilter({ units: 9 }, f)).toBe(false);
    expect(matchesFilter({ units: "many" }, f)).toBe(false);
  });

  it("no filter for a column the table does not have", () => {
    expect(parseFilter("where price > 3", ["units"])).toBeUndefined();
  });
});

describe("parseStep, unquoted names", () => {
  it("reads Owner's table without quotes, and a bare underscore name when nothing else is named", () => {
    expect(parseStep("From Bea's staff_names table, get names.", owners, tables, where)).toEqual([
      { owner: "Bea", table: "staff_names" },
    ]);
    expect(parseStep("Look up kiosk_staff for each kiosk.", owners, tables, where)).toEqual([
      { owner: "Bea", table: "kiosk_staff" },
    ]);
    // Prose possessives that are not tables are not reads.
    expect(parseStep("Use Bea's knowledge of the kiosks.", owners, tables, where)).toEqual([]);
  });
});
