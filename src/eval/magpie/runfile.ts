import { RUN_FILE_FORMAT, RUN_FILE_VERSION, type RunFile, redactItem } from "../../core/index.js";
import type { SimulationResult } from "./simulate.js";

/**
 * The saved form of one negotiation. Private and sensitive items (the agents' private notes, their
 * memory, any draft a guard withheld) are redacted unless the user opts in.
 */
export function simulationRunFile(sim: SimulationResult, includePrivate = false): RunFile {
  const { runtime, scenario } = sim;
  const snapshot = runtime.log.snapshot(runtime.runId);
  return {
    format: RUN_FILE_FORMAT,
    version: RUN_FILE_VERSION,
    runId: runtime.runId,
    threadId: runtime.runId,
    scenario: scenario.id,
    task: scenario.task,
    status: "finished",
    reason: sim.consensus.reached ? `consensus on ${sim.consensus.proposalId}` : "rounds exhausted",
    finalAnswer: sim.consensus.text ?? null,
    agents: scenario.agents.map((a) => a.name),
    items: snapshot.items.map((i) => redactItem(i, includePrivate)),
    events: snapshot.events,
    verdicts: snapshot.items.filter((i) => i.kind === "verdict").map((i) => i.id),
    usage: runtime.meter.totals,
    includesPrivate: includePrivate,
  };
}
