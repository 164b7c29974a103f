import { UserInputError } from "../../core/index.js";
import { normaliseQuotes, type TableOwners } from "./defense.js";
import type { Filter, StepRef, TableData } from "./scenario.js";

/**
 * Reads the tables one published `compositional_inference_steps` entry uses: `Owner's 'table'`
 * first, then `Owner's table` unquoted, then any other quoted name that is a table of the scenario
 * (quoted column names such as 'bed_id' are not). Only when none of these is there, a bare
 * mention of a table name with an underscore counts (distinctive enough not to be prose). A step
 * naming no table is a local step (combine, count, sort).
 */
export function parseStep(
  text: string,
  owners: TableOwners,
  tables: Record<string, Record<string, TableData>>,
  where: { file: string; field: string },
): StepRef[] {
  const s = normaliseQuotes(text);
  const refs: StepRef[] = [];
  const named = new Set<string>();
  for (const m of s.matchAll(/([A-Za-z][\w.-]*)'s\s+'([\w.-]+)'/g)) {
    const owner = m[1] as string;
    const table = m[2] as string;
    named.add(table);
    const holders = owners.get(table) ?? [];
    if (holders.includes(owner)) {
      refs.push({ owner, table });
    } else if (holders.length === 1) {
      // Generated steps sometimes credit a table to the wrong agent; the data says who holds it.
      refs.push({ owner: holders[0] as string, table });
    } else if (holders.length === 0) {
      throw new UserInputError(`step names ${owner}'s '${table}', which no agent holds`, {
        ...where,
        hint: "check the table name against data_distribution",
      });
    } else {
      throw new UserInputError(`step names ${owner}'s '${table}', held by ${holders.join(", ")}`, {
        ...where,
        hint: "name the agent that holds the table",
      });
    }
  }
  for (const m of s.matchAll(/([A-Za-z][\w.-]*)'s\s+([\w.-]+)/g)) {
    const owner = m[1] as string;
    const table = m[2] as string;
    const holders = owners.get(table) ?? [];
    if (named.has(table) || holders.length === 0) continue;
    const resolved = holders.includes(owner) ? owner : holders.length === 1 ? holders[0] : undefined;
    if (resolved !== undefined) {
      named.add(table);
      refs.push({ owner: resolved, table });
    }
  }
  for (const m of s.matchAll(/'([\w.-]+)'/g)) {
    const table = m[1] as string;
    if (named.has(table)) continue;
    const holders = owners.get(table) ?? [];
    if (holders.length === 1) {
      named.add(table);
      refs.push({ owner: holders[0] as string, table });
    }
  }
  if (refs.length === 0) {
    for (const [table, holders] of owners) {
      if (holders.length !== 1 || !table.includes("_")) continue;
      if (new RegExp(`(?<![\\w.-])${escapeRegExp(table)}(?![\\w-])`).test(s)) {
        refs.push({ owner: holders[0] as string, table });
      }
    }
  }
  const unique = dedupe(refs);
  if (unique.length === 1) {
    const only = unique[0] as StepRef;
    const data = tables[only.owner]?.[only.table];
    const filter = data ? parseFilter(s, data.columns) : undefined;
    if (filter) only.filter = filter;
  }
  return unique;
}

function dedupe(refs: StepRef[]): StepRef[] {
  const seen = new Set<string>();
  return refs.filter((r) => {
    const k = `${r.owner}/${r.table}`;
    if (seen.has(k)) return false;
    seen.add(k);
    return true;
  });
}

/**
 * A filter the defender can apply, when the step states one on a real column: `col > 5000`,
 * `'col' is 'value'`. Anything vaguer (e.g. "with high access") leaves the rows unfiltered.
 */
export function parseFilter(text: string, columns: ReadonlyArray<string>): Filter | undefined {
  const cmp = /'?(\w+)'?\s*(>=|<=|!=|>|<|=)\s*'?(-?[\d,]*\.?\d+|[\w-]+)'?/.exec(text);
  if (cmp && columns.includes(cmp[1] as string)) {
    const raw = (cmp[3] as string).replace(/,/g, "");
    const num = Number(raw);
    return {
      column: cmp[1] as string,
      op: cmp[2] as Filter["op"],
      value: Number.isFinite(num) && raw !== "" ? num : (cmp[3] as string),
    };
  }
  const is = /'?(\w+)'?\s+is\s+'([^']+)'/.exec(text);
  if (is && columns.includes(is[1] as string)) {
    return { column: is[1] as string, op: "=", value: is[2] as string };
  }
  return undefined;
}

export function matchesFilter(row: Record<string, unknown>, filter: Filter): boolean {
  const cell = row[filter.column];
  if (filter.op === "=" || filter.op === "!=") {
    const eq = String(cell).toLowerCase() === String(filter.value).toLowerCase();
    return filter.op === "=" ? eq : !eq;
  }
  const a = Number(cell);
  const b = Number(filter.value);
  if (!Number.isFinite(a) || !Number.isFinite(b)) return false;
  switch (filter.op) {
    case ">":
      return a > b;
    case ">=":
      return a >= b;
    case "<":
      return a < b;
    default:
      return a <= b;
  }
}

function escapeRegExp(s: string): string {
  return s.replace(/[.*+?^${}()|[\]\\]/g, "\\$&");
}
