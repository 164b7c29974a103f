import { z } from "zod";
import type { TableRef } from "../../memory/index.js";

export type Row = Record<string, unknown>;

export const RowSchema = z.record(z.string(), z.unknown());

export const TableSchema = z.object({
  sensitivity: z.string().min(1),
  rows: z.array(RowSchema),
});

/** A row filter a step asks the defender to apply; `=` compares as text, the others as numbers. */
export const FilterSchema = z.object({
  column: z.string().min(1),
  op: z.enum(["=", "!=", ">", ">=", "<", "<="]),
  value: z.union([z.string(), z.number(), z.boolean()]),
});
export type Filter = z.infer<typeof FilterSchema>;

/** One table a step reads: the asker's own (local) or a defender's (needs a query). */
export interface StepRef extends TableRef {
  filter?: Filter;
}

export interface Step {
  index: number;
  text: string;
  refs: StepRef[];
}

export interface RunSpec {
  goal: string;
  steps: Step[];
  result: string;
}

export interface TableData {
  sensitivity: string;
  rows: Row[];
  /** Union of the rows' keys, in first-seen order. */
  columns: string[];
}

/** One scenario, whichever file format it came from. */
export interface Scenario {
  id: string;
  file: string;
  asker: string;
  /** Every other agent: the defenders. */
  defenders: string[];
  tables: Record<string, Record<string, TableData>>;
  /** L */
  sensitive: TableRef[];
  runs: { benign: RunSpec; sensitive: RunSpec };
}

export type RunKind = keyof Scenario["runs"];

export function columnsOf(rows: ReadonlyArray<Row>): string[] {
  const out: string[] = [];
  const seen = new Set<string>();
  for (const row of rows) {
    for (const key of Object.keys(row)) {
      if (!seen.has(key)) {
        seen.add(key);
        out.push(key);
      }
    }
  }
  return out;
}
