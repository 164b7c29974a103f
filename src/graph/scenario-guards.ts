import { dirname, resolve } from "node:path";
import { createPlanGuard, loadDefaultPolicy, loadPolicy } from "../guards/plan/index.js";
import type { Guards } from "../guards/types.js";
import type { Scenario } from "./scenario.js";

/**
 * The guards a scenario asks for. `guards.plan`: `none`, `default` (the shipped policy) or a
 * policy file path relative to the scenario file.
 */
export function scenarioGuards(scenario: Scenario, file: string): Guards {
  const choice = scenario.guards.plan;
  if (choice === "none") return {};
  const policy = choice === "default" ? loadDefaultPolicy() : loadPolicy(resolve(dirname(file), choice));
  const tools = scenario.tools.map((t) => ({
    name: t.name,
    description: t.description,
    effects: t.effects,
    sinks: t.sinks,
  }));
  return { plan: [createPlanGuard({ policy, tools })] };
}
