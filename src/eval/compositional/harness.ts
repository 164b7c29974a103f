import type { Adversary } from "./adversary.js";
import { type PairOutcome, type ResultRow, score } from "./metrics.js";
import { type Defense, type RunOptions, type RunOutcome, runScenario } from "./run.js";
import type { Scenario } from "./scenario.js";

export interface EvaluateOptions extends RunOptions {
  defenses: Defense[];
  adversaries: Adversary[];
  /** Called after each scenario pair (benign + sensitive run). */
  onPair?: (label: string) => void;
  /** Called with every finished run (e.g. to save run files). */
  onRun?: (outcome: RunOutcome) => void;
}

export interface Evaluation {
  results: ResultRow[];
  /** Per scenario and row, for the report: which pairs failed and why. */
  pairs: Array<{ defense: Defense; adversary: Adversary; scenario: string } & PairOutcome>;
}

/** Runs every scenario's benign and sensitive run under each defense and adversary variant. */
export async function evaluate(
  scenarios: ReadonlyArray<Scenario>,
  options: EvaluateOptions,
): Promise<Evaluation> {
  const results: ResultRow[] = [];
  const allPairs: Evaluation["pairs"] = [];
  for (const defense of options.defenses) {
    for (const adversary of options.adversaries) {
      const pairs: PairOutcome[] = [];
      const usage = { modelCalls: 0, tokens: 0, guardMs: [] as number[] };
      for (const scenario of scenarios) {
        const benign = await runScenario(scenario, "benign", defense, adversary, options);
        const sensitive = await runScenario(scenario, "sensitive", defense, adversary, options);
        for (const run of [benign, sensitive]) {
          usage.modelCalls += run.modelCalls;
          usage.tokens += run.tokens;
          usage.guardMs.push(...run.guardMs);
          options.onRun?.(run);
        }
        const pair = {
          benignSucceeded: benign.inference.succeeded,
          sensitiveBlocked: !sensitive.inference.succeeded,
        };
        pairs.push(pair);
        allPairs.push({ defense, adversary, scenario: scenario.id, ...pair });
        options.onPair?.(`${defense}/${adversary} ${scenario.id}`);
      }
      results.push(score(defense, adversary, pairs, usage));
    }
  }
  return { results, pairs: allPairs };
}
