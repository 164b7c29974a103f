import { z } from "zod";
import { defineTool, type ToolSpec } from "../core/index.js";
import type { ScenarioTool } from "./scenario.js";

const typeSchemas = {
  string: z.string(),
  number: z.number(),
  boolean: z.boolean(),
  object: z.record(z.string(), z.unknown()),
  array: z.array(z.unknown()),
} as const;

function matches(when: Record<string, unknown> | undefined, args: Record<string, unknown>): boolean {
  if (!when) return true;
  return Object.entries(when).every(([k, v]) => JSON.stringify(args[k]) === JSON.stringify(v));
}

/** A table-backed tool from a scenario: the first result row whose `when` matches the arguments. */
export function scenarioTool(spec: ScenarioTool): ToolSpec<Record<string, unknown>> {
  const shape: Record<string, z.ZodType> = {};
  for (const [name, type] of Object.entries(spec.args)) shape[name] = typeSchemas[type];
  return defineTool<Record<string, unknown>>({
    name: spec.name,
    description: spec.description,
    schema: z.object(shape).strict() as unknown as z.ZodType<Record<string, unknown>>,
    effects: spec.effects,
    sinks: spec.sinks,
    idempotent: spec.idempotent,
    needsApproval: spec.needsApproval,
    resultSensitivity: spec.sensitivity,
    resultLabels: spec.labels,
    run(args) {
      const row = spec.results.find((r) => matches(r.when, args));
      if (!row) throw new Error(`no result for arguments ${JSON.stringify(args)}`);
      if (row.error !== undefined) throw new Error(row.error);
      return row.value ?? null;
    },
  });
}
