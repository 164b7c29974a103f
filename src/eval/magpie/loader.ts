import { readdirSync, readFileSync, statSync } from "node:fs";
import { basename, extname, join } from "node:path";
import { formatPath, UserInputError } from "../../core/index.js";
import { isPenaltyKey, summarisePenalties } from "./penalties.js";
import {
  type MagpieAgent,
  type MagpieScenario,
  type PrivateItem,
  type RawAgent,
  type RawScenario,
  RawScenarioSchema,
} from "./schema.js";

/** A row that could not be used, with where and why, so the user can fix the file. */
export interface LoadProblem {
  file: string;
  line?: number;
  field: string;
  message: string;
}

export interface LoadResult {
  scenarios: MagpieScenario[];
  problems: LoadProblem[];
  /** Rows seen, loaded or not. */
  rows: number;
}

const EXTENSIONS = new Set([".jsonl", ".ndjson", ".json", ".tsv"]);

/**
 * Loads MAGPIE scenarios from JSON lines, a TSV with JSON columns, a JSON file (one scenario or an
 * array) or a directory of those (recursively, in name order). A malformed row is reported and
 * skipped; the rest load.
 */
export function loadMagpie(path: string): LoadResult {
  let stat: ReturnType<typeof statSync>;
  try {
    stat = statSync(path);
  } catch {
    throw new UserInputError("no such file or directory", {
      file: path,
      hint: "pass a MAGPIE .jsonl, .tsv, .json file or a folder of them",
    });
  }
  const files = stat.isDirectory() ? listFiles(path) : [path];
  if (files.length === 0) {
    throw new UserInputError("no .jsonl, .tsv or .json files in the folder", { file: path });
  }
  const result: LoadResult = { scenarios: [], problems: [], rows: 0 };
  const ids = new Map<string, number>();
  for (const file of files) {
    for (const row of readRows(file, result.problems)) {
      result.rows += 1;
      const scenario = normaliseRow(row.value, file, row.line, result.problems);
      if (!scenario) continue;
      const seen = ids.get(scenario.id) ?? 0;
      ids.set(scenario.id, seen + 1);
      if (seen > 0) {
        result.problems.push({
          file,
          ...(row.line !== undefined ? { line: row.line } : {}),
          field: "file_name",
          message: `duplicate scenario id ${scenario.id}; loaded as ${scenario.id}~${seen + 1}`,
        });
        scenario.id = `${scenario.id}~${seen + 1}`;
      }
      result.scenarios.push(scenario);
    }
  }
  return result;
}

function listFiles(dir: string): string[] {
  const out: string[] = [];
  for (const name of readdirSync(dir).sort()) {
    if (name.startsWith(".")) continue;
    const full = join(dir, name);
    if (statSync(full).isDirectory()) out.push(...listFiles(full));
    else if (EXTENSIONS.has(extname(name).toLowerCase())) out.push(full);
  }
  return out;
}

interface RawRow {
  value: unknown;
  line?: number;
  /** File-name stem, the id of a one-scenario JSON file. */
  fallbackId?: string;
}

function readRows(file: string, problems: LoadProblem[]): RawRow[] {
  const text = readFileSync(file, "utf8");
  const ext = extname(file).toLowerCase();
  if (ext === ".jsonl" || ext === ".ndjson") return readJsonLines(file, text, problems);
  if (ext === ".tsv") return readTsv(file, text, problems);
  try {
    const parsed: unknown = JSON.parse(text);
    if (Array.isArray(parsed)) return parsed.map((value, i) => ({ value, line: i + 1 }));
    return [{ value: withFallbackId(parsed, basename(file, ext)) }];
  } catch (error) {
    problems.push({ file, field: "(file)", message: `not valid JSON: ${(error as Error).message}` });
    return [];
  }
}

function withFallbackId(value: unknown, id: string): unknown {
  if (value !== null && typeof value === "object" && !Array.isArray(value)) {
    const o = value as Record<string, unknown>;
    if (o.file_name === undefined && o.id === undefined) return { ...o, file_name: id };
  }
  return value;
}

function readJsonLines(file: string, text: string, problems: LoadProblem[]): RawRow[] {
  const rows: RawRow[] = [];
  const lines = text.split(/\r?\n/);
  lines.forEach((line, i) => {
    if (line.trim() === "") return;
    try {
      rows.push({ value: JSON.parse(line), line: i + 1 });
    } catch (error) {
      problems.push({
        file,
        line: i + 1,
        field: "(line)",
        message: `not valid JSON: ${(error as Error).message}`,
      });
    }
  });
  return rows;
}

/** Columns whose cells hold JSON in the published TSV. */
const JSON_COLUMNS = new Set([
  "agents",
  "agent_names",
  "success_criteria",
  "constraints",
  "domain_candidates",
  "agent_number",
]);

function readTsv(file: string, text: string, problems: LoadProblem[]): RawRow[] {
  const records = parseTsv(text);
  const header = records.shift();
  if (!header) return [];
  const columns = header.cells.map((c) => c.trim());
  const rows: RawRow[] = [];
  for (const rec of records) {
    if (rec.cells.every((c) => c.trim() === "")) continue;
    const value: Record<string, unknown> = {};
    let bad = false;
    columns.forEach((col, i) => {
      const cell = rec.cells[i] ?? "";
      const looksJson = /^\s*[[{]/.test(cell) || (JSON_COLUMNS.has(col) && /^\s*-?\d/.test(cell));
      if (JSON_COLUMNS.has(col) || looksJson) {
        if (cell.trim() === "") return;
        try {
          value[col] = JSON.parse(cell);
        } catch (error) {
          if (JSON_COLUMNS.has(col)) {
            problems.push({
              file,
              line: rec.line,
              field: col,
              message: `column holds no valid JSON: ${(error as Error).message}`,
            });
            bad = true;
          } else value[col] = cell;
        }
      } else {
        value[col] = cell;
      }
    });
    if (!bad) rows.push({ value, line: rec.line });
  }
  return rows;
}

/** Tab-separated records with optional double-quoted cells ("" inside is a quote); line = first line. */
export function parseTsv(text: string): Array<{ line: number; cells: string[] }> {
  const out: Array<{ line: number; cells: string[] }> = [];
  let cells: string[] = [];
  let cell = "";
  let quoted = false;
  let atCellStart = true;
  let line = 1;
  let recordLine = 1;
  for (let i = 0; i < text.length; i++) {
    const ch = text[i] as string;
    if (quoted) {
      if (ch === '"') {
        if (text[i + 1] === '"') {
          cell += '"';
          i += 1;
        } else quoted = false;
      } else {
        if (ch === "\n") line += 1;
        cell += ch;
      }
      continue;
    }
    if (ch === '"' && atCellStart) {
      quoted = true;
      atCellStart = false;
    } else if (ch === "\t") {
      cells.push(cell);
      cell = "";
      atCellStart = true;
    } else if (ch === "\n" || ch === "\r") {
      if (ch === "\r" && text[i + 1] === "\n") i += 1;
      cells.push(cell);
      out.push({ line: recordLine, cells });
      cells = [];
      cell = "";
      atCellStart = true;
      line += 1;
      recordLine = line;
    } else {
      cell += ch;
      atCellStart = false;
    }
  }
  if (cell !== "" || cells.length > 0) {
    cells.push(cell);
    out.push({ line: recordLine, cells });
  }
  return out;
}

/** Validates and normalises one row; on failure records the problem (field under `fieldPrefix`) and returns null. */
export function normaliseRow(
  value: unknown,
  file: string,
  line: number | undefined,
  problems: LoadProblem[],
  fieldPrefix?: string,
): MagpieScenario | null {
  const where = { file, ...(line !== undefined ? { line } : {}) };
  const parsed = RawScenarioSchema.safeParse(value);
  if (!parsed.success) {
    const issue = parsed.error.issues[0];
    problems.push({
      ...where,
      field:
        [fieldPrefix, issue && issue.path.length > 0 ? formatPath(issue.path) : undefined]
          .filter((x) => x !== undefined)
          .join(".") || "(row)",
      message: issue?.message ?? "invalid row",
    });
    return null;
  }
  const raw = parsed.data;
  const id = String(raw.file_name ?? raw.id ?? (line !== undefined ? `row-${line}` : basename(file)));
  if (raw.agent_number !== undefined && raw.agent_number !== raw.agents.length) {
    problems.push({
      ...where,
      field: "agent_number",
      message: `says ${raw.agent_number} agents but lists ${raw.agents.length}; using the list`,
    });
  }
  const names = new Set<string>();
  const agents: MagpieAgent[] = [];
  for (const [i, a] of raw.agents.entries()) {
    if (names.has(a.name)) {
      problems.push({ ...where, field: `agents.${i}.name`, message: `duplicate agent name ${a.name}` });
      return null;
    }
    names.add(a.name);
    agents.push(normaliseAgent(a));
  }
  return {
    id,
    source: where,
    description: raw.scenario,
    task: raw.task,
    deliverable: asText(raw.deliverable),
    successCriteria: criteria(raw.success_criteria),
    constraints: constraintsOf(raw.constraints),
    ...(raw.solvability_note !== undefined ? { solvabilityNote: raw.solvability_note } : {}),
    agents,
  };
}

function normaliseAgent(a: RawAgent): MagpieAgent {
  const shareable = Object.entries(a.shareable_preferences ?? {}).map(([key, p]) => ({
    key,
    description: p.description,
    ...(typeof p.utility_impact === "string" ? { utilityImpact: p.utility_impact } : {}),
  }));
  // Both spellings occur in the release; an agent may have either (or, rarely, both).
  const entries: Array<[string, Record<string, unknown> & { value: string }]> = [];
  for (const container of [a.private_preferences, a.private_information]) {
    if (!container) continue;
    if (Array.isArray(container)) {
      container.forEach((e, i) => {
        entries.push([e.key ?? e.name ?? `private_${i + 1}`, e]);
      });
    } else {
      for (const [key, e] of Object.entries(container)) entries.push([key, e]);
    }
  }
  const priv: PrivateItem[] = entries.map(([key, e]) => {
    const fields: Record<string, unknown> = {};
    for (const [k, v] of Object.entries(e)) if (isPenaltyKey(k)) fields[k] = v;
    return {
      id: `${a.name}/${key}`,
      owner: a.name,
      key,
      value: e.value,
      ...(typeof e.reason === "string" ? { reason: e.reason } : {}),
      ...(typeof e.utility_impact === "string" ? { utilityImpact: e.utility_impact } : {}),
      penalty: summarisePenalties(e.value, fields),
      penaltyFields: fields,
    };
  });
  return {
    name: a.name,
    role: a.role ?? "",
    description: a.description ?? "",
    shareable,
    private: priv,
  };
}

function asText(v: unknown): string {
  if (v === undefined || v === null) return "";
  return typeof v === "string" ? v : JSON.stringify(v);
}

function criteria(v: RawScenario["success_criteria"]): string[] {
  if (v === undefined) return [];
  if (typeof v === "string") return [v];
  if (Array.isArray(v)) return v.map(asText);
  return Object.entries(v).map(([k, text]) => `${k}: ${asText(text)}`);
}

function constraintsOf(v: RawScenario["constraints"]): MagpieScenario["constraints"] {
  if (v === undefined) return { verifiable: [], hidden: [] };
  if (Array.isArray(v)) return { verifiable: v.map(asText), hidden: [] };
  return { verifiable: (v.verifiable ?? []).map(asText), hidden: (v.hidden ?? []).map(asText) };
}
