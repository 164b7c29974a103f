import type { Disclosure } from "../../memory/index.js";

/**
 * A vague answer: for each table the withheld answer was built from, its name, its column names and
 * how many of its rows the answer covered; never a cell value. The runtime labels the delivered
 * replacement `vague`, and the disclosure ledger counts it as an aggregate, not as the rows.
 */
export interface VagueAnswer {
  kind: "aggregate";
  note: string;
  tables: Array<{ owner: string; table: string; columns: string[]; rowCount: number }>;
}

export function vagueAnswer(carried: Disclosure): VagueAnswer {
  const tables = [...carried.values()]
    .filter((d) => d.level === "rows")
    .map((d) => ({ owner: d.owner, table: d.table, columns: [...d.columns], rowCount: d.rows.length }));
  return {
    kind: "aggregate",
    note: "only counts can be shared for this request",
    tables,
  };
}
