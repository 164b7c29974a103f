import { readdirSync, readFileSync, statSync } from "node:fs";
import { basename, extname, join } from "node:path";
import { z } from "zod";
import { fromZodError, parseDocument, type QuorumError, UserInputError } from "../../core/index.js";
import type { TableRef } from "../../memory/index.js";
import { ownersOf, parseDefense } from "./defense.js";
import {
  columnsOf,
  FilterSchema,
  type RunSpec,
  type Scenario,
  type Step,
  type StepRef,
  type TableData,
  TableSchema,
} from "./scenario.js";
import { parseStep } from "./steps.js";

/** The published format: one JSON file per scenario, a benign and a sensitive run over the same tables. */
const PublishedRunSchema = z.object({
  alice_goal: z.string(),
  compositional_inference_steps: z.array(z.string()).min(1),
  final_inference_result: z.string(),
});
export const PublishedScenarioSchema = z.object({
  entities: z.array(z.string().min(1)).min(2),
  data_distribution: z.record(z.string(), z.object({ table: z.record(z.string(), TableSchema) })),
  defense: z.string(),
  run_1_benign: PublishedRunSchema,
  run_2_sensitive: PublishedRunSchema,
  entity_description: z.record(z.string(), z.string()).optional(),
});

export const YAML_FORMAT = "quorum/compositional@1";

/** Our own YAML format: the same content, with steps that may name their tables explicitly. */
const StepReadSchema = z.object({
  owner: z.string().min(1),
  table: z.string().min(1),
  filter: FilterSchema.optional(),
});
const YamlStepSchema = z.union([
  z.string().min(1),
  z.object({ text: z.string().optional(), reads: z.array(StepReadSchema).default([]) }).strict(),
]);
const YamlRunSchema = z
  .object({ goal: z.string().min(1), steps: z.array(YamlStepSchema).min(1), result: z.string().default("") })
  .strict();
export const YamlScenarioSchema = z
  .object({
    format: z.literal(YAML_FORMAT),
    id: z.string().regex(/^[\w.-]+$/, "letters, digits, '_', '.', '-' only"),
    description: z.string().optional(),
    asker: z.string().min(1),
    agents: z.record(
      z.string(),
      z.object({ description: z.string().optional(), tables: z.record(z.string(), TableSchema) }).strict(),
    ),
    defense: z.string().min(1),
    runs: z.object({ benign: YamlRunSchema, sensitive: YamlRunSchema }).strict(),
  })
  .strict();

export interface LoadResult {
  scenarios: Scenario[];
  /** Files that could not be read as scenarios, with the reason (the caller decides whether to stop). */
  invalid: Array<{ file: string; error: QuorumError }>;
  /** YAML files of a folder that declare another format (e.g. other scenario kinds sharing the folder). */
  otherFormats: string[];
}

export const SCENARIO_EXTENSIONS = [".json", ".yaml", ".yml"];

/** A file, or every scenario file of a folder (not recursive), in a stable order. */
export function loadScenarios(path: string): LoadResult {
  let isDir: boolean;
  try {
    isDir = statSync(path).isDirectory();
  } catch {
    throw new UserInputError(`no such file or folder: ${path}`, {
      file: path,
      hint: "pass --data <folder or scenario file>",
    });
  }
  if (!isDir) return { scenarios: [loadScenarioFile(path)], invalid: [], otherFormats: [] };
  const files = readdirSync(path)
    .filter((f) => SCENARIO_EXTENSIONS.includes(extname(f).toLowerCase()))
    .sort(naturalCompare)
    .map((f) => join(path, f));
  if (files.length === 0) {
    throw new UserInputError("no scenario files (.json, .yaml) in this folder", { file: path });
  }
  const out: LoadResult = { scenarios: [], invalid: [], otherFormats: [] };
  for (const file of files) {
    try {
      const scenario = loadScenarioFile(file, { skipOtherFormats: true });
      if (scenario) out.scenarios.push(scenario);
      else out.otherFormats.push(file);
    } catch (error) {
      if (error instanceof UserInputError) out.invalid.push({ file, error });
      else throw error;
    }
  }
  return out;
}

export function loadScenarioFile(file: string): Scenario;
export function loadScenarioFile(file: string, options: { skipOtherFormats: true }): Scenario | null;
export function loadScenarioFile(
  file: string,
  options: { skipOtherFormats?: boolean } = {},
): Scenario | null {
  let text: string;
  try {
    text = readFileSync(file, "utf8");
  } catch (error) {
    throw new UserInputError(`cannot read: ${error instanceof Error ? error.message : String(error)}`, {
      file,
    });
  }
  const ext = extname(file).toLowerCase();
  const raw = parseDocument(text, file, ext === ".json" ? "json" : "yaml");
  if (ext === ".json") return fromPublished(raw, file);
  const format = typeof raw === "object" && raw !== null ? (raw as { format?: unknown }).format : undefined;
  // A folder may mix scenario kinds; a file that says it is something else is not ours to judge.
  if (options.skipOtherFormats && typeof format === "string" && format !== YAML_FORMAT) return null;
  return fromYaml(raw, file);
}

export function fromPublished(raw: unknown, file: string): Scenario {
  const parsed = PublishedScenarioSchema.safeParse(raw);
  if (!parsed.success)
    throw fromZodError(parsed.error, { file, hint: "expected the published scenario format" });
  const p = parsed.data;
  const asker = p.entities[0] as string;
  for (const [i, e] of p.entities.entries()) {
    if (!p.data_distribution[e]) {
      throw new UserInputError(`entity ${e} has no tables in data_distribution`, {
        file,
        field: `entities.${i}`,
      });
    }
  }
  const tables = normaliseTables(
    Object.fromEntries(p.entities.map((e) => [e, p.data_distribution[e]?.table ?? {}])),
  );
  const owners = ownersOf(tables);
  const sensitive = parseDefense(p.defense, owners, { file });
  const run = (key: "run_1_benign" | "run_2_sensitive"): RunSpec => ({
    goal: p[key].alice_goal,
    result: p[key].final_inference_result,
    steps: p[key].compositional_inference_steps.map((text, index) => ({
      index,
      text,
      refs: parseStep(text, owners, tables, { file, field: `${key}.compositional_inference_steps.${index}` }),
    })),
  });
  return {
    id: basename(file, extname(file)).replace(/_def_adv_both$/, ""),
    file,
    asker,
    defenders: p.entities.slice(1),
    tables,
    sensitive,
    runs: { benign: run("run_1_benign"), sensitive: run("run_2_sensitive") },
  };
}

export function fromYaml(raw: unknown, file: string): Scenario {
  const parsed = YamlScenarioSchema.safeParse(raw);
  if (!parsed.success)
    throw fromZodError(parsed.error, { file, hint: "see scenarios/privacy/compositional-demo.yaml" });
  const y = parsed.data;
  if (!y.agents[y.asker]) {
    throw new UserInputError(`asker ${y.asker} is not one of the agents`, { file, field: "asker" });
  }
  const defenders = Object.keys(y.agents).filter((a) => a !== y.asker);
  if (defenders.length === 0)
    throw new UserInputError("a scenario needs at least one defender", { file, field: "agents" });
  const tables = normaliseTables(Object.fromEntries(Object.entries(y.agents).map(([a, v]) => [a, v.tables])));
  const owners = ownersOf(tables);
  const sensitive = parseDefense(y.defense, owners, { file });
  const run = (key: "benign" | "sensitive"): RunSpec => ({
    goal: y.runs[key].goal,
    result: y.runs[key].result,
    steps: y.runs[key].steps.map((s, index): Step => {
      const field = `runs.${key}.steps.${index}`;
      if (typeof s === "string")
        return { index, text: s, refs: parseStep(s, owners, tables, { file, field }) };
      const refs: StepRef[] = s.reads.map((r, j) => {
        if (!tables[r.owner]?.[r.table]) {
          throw new UserInputError(`${r.owner} holds no table '${r.table}'`, {
            file,
            field: `${field}.reads.${j}`,
          });
        }
        return { owner: r.owner, table: r.table, ...(r.filter ? { filter: r.filter } : {}) };
      });
      return { index, text: s.text ?? refs.map((r) => `read ${r.owner}'s '${r.table}'`).join("; "), refs };
    }),
  });
  return {
    id: y.id,
    file,
    asker: y.asker,
    defenders,
    tables,
    sensitive,
    runs: { benign: run("benign"), sensitive: run("sensitive") },
  };
}

function normaliseTables(
  raw: Record<string, Record<string, z.infer<typeof TableSchema>>>,
): Record<string, Record<string, TableData>> {
  const out: Record<string, Record<string, TableData>> = {};
  for (const [agent, own] of Object.entries(raw)) {
    out[agent] = {};
    for (const [name, t] of Object.entries(own)) {
      (out[agent] as Record<string, TableData>)[name] = {
        sensitivity: t.sensitivity,
        rows: t.rows,
        columns: columnsOf(t.rows),
      };
    }
  }
  return out;
}

/** Tables each agent starts with, as the guards' policy wants them. */
export function ownedTables(s: Scenario): Record<string, TableRef[]> {
  return Object.fromEntries(
    Object.entries(s.tables).map(([agent, own]) => [
      agent,
      Object.keys(own).map((table) => ({ owner: agent, table })),
    ]),
  );
}

/** experiment_5 before experiment_11. */
function naturalCompare(a: string, b: string): number {
  return a.localeCompare(b, "en", { numeric: true });
}
