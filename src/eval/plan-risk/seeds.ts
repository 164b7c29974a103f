import { readdirSync, statSync } from "node:fs";
import { basename, join } from "node:path";
import { UserInputError } from "../../core/index.js";
import { loadScenario } from "../../graph/scenario.js";
import type { NormalisedPlan, ToolDescriptor } from "../../guards/plan/model.js";
import { loadPlanRiskData } from "./data.js";

/** A benign plan the generator makes risky twins of. */
export interface SeedPlan {
  /** Where it came from: a scenario name, or `file#record`. */
  source: string;
  userRequest: string;
  steps: Array<{ tool: string; args: Record<string, unknown> }>;
  /** Tool outputs: `beforeStep` is the first step that sees one. */
  observations: Array<{ beforeStep: number; text: string; tool?: string }>;
  tools: ToolDescriptor[];
}

/**
 * Seeds from a scenario file, a folder of them (searched one level down), or a plan-risk data
 * file (its safe records: the actions of safe trajectories, or labelled Safiron-style records).
 */
export function loadSeeds(path: string): { seeds: SeedPlan[]; skipped: string[] } {
  let isDir: boolean;
  try {
    isDir = statSync(path).isDirectory();
  } catch {
    throw new UserInputError("no such file or folder", {
      file: path,
      hint: "pass --from <scenario folder | file>",
    });
  }
  if (!isDir)
    return { seeds: /\.ya?ml$/i.test(path) ? seedsFromScenario(path) : seedsFromData(path), skipped: [] };
  const files = scenarioFiles(path);
  // A folder without YAML is a data folder (one plan-risk file, as the datasets ship).
  if (files.length === 0) return { seeds: seedsFromData(path), skipped: [] };
  // A folder may hold other YAML files (privacy scenarios): those that are no team scenario are skipped.
  const seeds: SeedPlan[] = [];
  const skipped: string[] = [];
  for (const file of files) {
    try {
      seeds.push(...seedsFromScenario(file));
    } catch (error) {
      if (!(error instanceof UserInputError)) throw error;
      skipped.push(file);
    }
  }
  return { seeds, skipped };
}

function scenarioFiles(dir: string): string[] {
  const out: string[] = [];
  for (const name of readdirSync(dir).sort()) {
    const full = join(dir, name);
    if (statSync(full).isDirectory()) {
      for (const inner of readdirSync(full).sort()) if (/\.ya?ml$/i.test(inner)) out.push(join(full, inner));
    } else if (/\.ya?ml$/i.test(name)) out.push(full);
  }
  return out;
}

/** A team scenario's first plan, with each tool's first result as the output its call returns. */
export function seedsFromScenario(file: string): SeedPlan[] {
  const scenario = loadScenario(file);
  const calls = scenario.plan.flatMap((s) => s.toolCalls);
  if (calls.length === 0) return [];
  const byName = new Map(scenario.tools.map((t) => [t.name, t]));
  const observations: SeedPlan["observations"] = [];
  calls.forEach((call, i) => {
    const value = byName.get(call.tool)?.results[0]?.value;
    if (value !== undefined)
      observations.push({
        beforeStep: i + 1,
        tool: call.tool,
        text: typeof value === "string" ? value : JSON.stringify(value),
      });
  });
  return [
    {
      source: scenario.name,
      userRequest: scenario.task,
      steps: calls.map((c) => ({ tool: c.tool, args: { ...c.args } })),
      observations,
      tools: scenario.tools.map((t) => ({
        name: t.name,
        description: t.description,
        effects: [...t.effects],
        sinks: [...t.sinks],
      })),
    },
  ];
}

function seedsFromData(file: string): SeedPlan[] {
  const name = basename(file);
  return loadPlanRiskData(file)
    .filter((r) => !r.unsafe)
    .map((r) => seedFromPlan(`${name}#${r.id}`, r.toPlan("observations")))
    .filter((s) => s.steps.length > 0);
}

export function seedFromPlan(source: string, plan: NormalisedPlan): SeedPlan {
  return {
    source,
    userRequest: plan.userRequest,
    steps: plan.steps.map((s) => ({ tool: s.tool, args: { ...s.args } })),
    observations: plan.observations.map((o) => ({
      beforeStep: o.beforeStep,
      text: o.text,
      ...(o.tool !== undefined ? { tool: o.tool } : {}),
    })),
    tools: plan.tools,
  };
}
