import type { Scenario } from "../graph/scenario.js";
import type { Guards } from "../guards/types.js";

/** The guards a scenario asks for (`guards.plan`); none unless it asks. */
export function scenarioGuards(scenario: Scenario, _file: string): Guards {
  if (scenario.guards.plan === "none") return {};
  return {};
}
