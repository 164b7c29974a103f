import { readFileSync } from "node:fs";
import { z } from "zod";
import { fromZodError, parseDocument, UserInputError } from "../../core/index.js";
import { type Script, ScriptSchema } from "./agents.js";
import { type LoadProblem, normaliseRow } from "./loader.js";
import type { MagpieScenario } from "./schema.js";

/**
 * A scenario with scripted agents, runnable without a model (`quorum eval magpie --script <file>`):
 * the MAGPIE row itself plus, per agent, one entry per turn. YAML or JSON.
 */
export const SCRIPT_FORMAT = "quorum.magpie-script";

export const ScriptFileSchema = z.object({
  format: z.literal(SCRIPT_FORMAT),
  version: z.literal(1),
  description: z.string().optional(),
  rounds: z.number().int().positive().max(100).optional(),
  scenario: z.record(z.string(), z.unknown()),
  script: ScriptSchema,
});

export interface ScriptedScenario {
  scenario: MagpieScenario;
  script: Script;
  rounds?: number;
}

export function loadScriptFile(path: string): ScriptedScenario {
  let text: string;
  try {
    text = readFileSync(path, "utf8");
  } catch {
    throw new UserInputError(`cannot read script file: ${path}`, { file: path });
  }
  const raw = parseDocument(text, path, path.endsWith(".json") ? "json" : "yaml");
  const parsed = ScriptFileSchema.safeParse(raw);
  if (!parsed.success)
    throw fromZodError(parsed.error, { file: path, hint: `a ${SCRIPT_FORMAT} file, version 1` });
  const problems: LoadProblem[] = [];
  const scenario = normaliseRow(parsed.data.scenario, path, undefined, problems, "scenario");
  if (!scenario) {
    const p = problems[0];
    throw new UserInputError(p?.message ?? "invalid scenario", { file: path, field: p?.field ?? "scenario" });
  }
  const names = new Set(scenario.agents.map((a) => a.name));
  for (const agent of Object.keys(parsed.data.script)) {
    if (!names.has(agent)) {
      throw new UserInputError(`script for unknown agent ${agent}`, {
        file: path,
        field: `script.${agent}`,
        hint: `agents are ${[...names].join(", ")}`,
      });
    }
  }
  return {
    scenario,
    script: parsed.data.script,
    ...(parsed.data.rounds !== undefined ? { rounds: parsed.data.rounds } : {}),
  };
}
