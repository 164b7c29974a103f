import type { RunFile } from "../../core/index.js";
import { runtimeRunFile } from "../../graph/runfile.js";
import type { SimulationResult } from "./simulate.js";

/**
 * The saved form of one negotiation. Private and sensitive items (the agents' private notes, their
 * memory, any draft a guard withheld) are redacted unless the user opts in.
 */
export function simulationRunFile(sim: SimulationResult, includePrivate = false): RunFile {
  const { runtime, scenario } = sim;
  return runtimeRunFile(runtime, {
    scenario: scenario.id,
    task: scenario.task,
    status: "finished",
    reason: sim.consensus.reached ? `consensus on ${sim.consensus.proposalId}` : "rounds exhausted",
    finalAnswer: sim.consensus.text ?? null,
    agents: scenario.agents.map((a) => a.name),
    includePrivate,
  });
}
