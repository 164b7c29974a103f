import { performance } from "node:perf_hooks";
import type { BaseChatModel } from "@langchain/core/language_models/chat_models";
import { z } from "zod";
import { Runtime } from "../../graph/runtime.js";
import {
  CoDefGuard,
  type CompositionPolicy,
  type Threshold,
  TomGuard,
  type VagueZone,
} from "../../guards/privacy/index.js";
import type { MessageGuard, MessageGuardInput, Verdict } from "../../guards/types.js";
import { type Adversary, planQueries } from "./adversary.js";
import { TableDefender } from "./agents.js";
import { type Inference, QueryingAgent } from "./asker.js";
import { ownedTables } from "./load.js";
import { ModelAskerVoice, ModelDefenderMind } from "./model-agents.js";
import type { RunKind, Scenario } from "./scenario.js";

export const DEFENSES = ["none", "tom", "codef", "self-voting"] as const;
export const Defense = z.enum(DEFENSES);
export type Defense = z.infer<typeof Defense>;

export interface GuardOptions {
  threshold?: Threshold;
  vagueAt?: VagueZone;
  /** Model mode for the guards (ToM call, CoDef voters). */
  model?: BaseChatModel;
}

export interface RunOptions extends GuardOptions {
  /** Model mode for the agents: the asker words questions and inference, defenders choose reads and word answers. */
  agentModel?: BaseChatModel;
}

export function policyOf(scenario: Scenario): CompositionPolicy {
  return { sensitive: scenario.sensitive, owned: ownedTables(scenario) };
}

/** The message guards a defense puts on the runtime's "before a message is delivered" hook. */
export function guardsFor(defense: Defense, scenario: Scenario, options: GuardOptions = {}): MessageGuard[] {
  const policy = policyOf(scenario);
  const model = options.model ? { model: options.model } : {};
  const threshold = options.threshold ? { threshold: options.threshold } : {};
  switch (defense) {
    case "none":
      return [];
    case "tom":
      return [new TomGuard({ policy, ...threshold, ...model })];
    case "codef":
      return [
        new CoDefGuard({
          policy,
          voters: scenario.defenders,
          ...threshold,
          ...(options.vagueAt ? { vagueAt: options.vagueAt } : {}),
          ...model,
        }),
      ];
    case "self-voting":
      return [
        new CoDefGuard({
          policy,
          voters: scenario.defenders,
          selfVoting: { repeats: scenario.defenders.length },
          ...threshold,
          ...model,
        }),
      ];
  }
}

/** Measures each check; the harness reports percentiles. Never used for assertions. */
export class TimedGuard implements MessageGuard {
  readonly name: string;
  readonly samplesMs: number[] = [];

  constructor(private readonly inner: MessageGuard) {
    this.name = inner.name;
  }

  async checkMessage(input: MessageGuardInput): Promise<Verdict> {
    const start = performance.now();
    try {
      return await this.inner.checkMessage(input);
    } finally {
      this.samplesMs.push(performance.now() - start);
    }
  }
}

export interface RunOutcome {
  scenario: string;
  kind: RunKind;
  defense: Defense;
  adversary: Adversary;
  inference: Inference;
  guardMs: number[];
  modelCalls: number;
  tokens: number;
  runtime: Runtime;
}

export async function runScenario(
  scenario: Scenario,
  kind: RunKind,
  defense: Defense,
  adversary: Adversary,
  options: RunOptions = {},
): Promise<RunOutcome> {
  const timed = guardsFor(defense, scenario, options).map((g) => new TimedGuard(g));
  const runtime = new Runtime({
    runId: `${scenario.id}.${kind}.${adversary}.${defense}`,
    guards: { message: timed },
  });
  const agentModel = options.agentModel;
  const defenders = new Map(
    scenario.defenders.map((d) => {
      const tables = scenario.tables[d] ?? {};
      const mind = agentModel ? new ModelDefenderMind(agentModel, runtime, d, tables) : undefined;
      return [d, new TableDefender(d, tables, runtime, mind)] as const;
    }),
  );
  const voice = agentModel ? new ModelAskerVoice(agentModel, runtime, scenario.asker) : undefined;
  const asker = new QueryingAgent(
    scenario.asker,
    scenario.tables[scenario.asker] ?? {},
    runtime,
    defenders,
    voice,
  );
  const spec = scenario.runs[kind];
  const inference = await asker.run(spec, planQueries(scenario, spec, adversary));
  let modelCalls = 0;
  let tokens = 0;
  for (const e of runtime.log.events({ runId: runtime.runId, type: "model_call" })) {
    if (e.type !== "model_call") continue;
    modelCalls += 1;
    tokens += e.inputTokens + e.outputTokens;
  }
  return {
    scenario: scenario.id,
    kind,
    defense,
    adversary,
    inference,
    guardMs: timed.flatMap((t) => t.samplesMs),
    modelCalls,
    tokens,
    runtime,
  };
}
