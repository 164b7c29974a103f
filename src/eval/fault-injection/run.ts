import { type Item, RUN_FILE_FORMAT, RUN_FILE_VERSION, type RunFile } from "../../core/index.js";
import { toRunFile } from "../../graph/runfile.js";
import type { TeamResult } from "../../graph/team-types.js";
import { seededRandom } from "../../testing/rng.js";
import { parseRunFile } from "../../trace/importers/runfile.js";
import { traceRun } from "../../trace/index.js";
import { chooseFault, faultTeam, generateScenario, type InjectedFault } from "./generate.js";

export const METHODS = ["idg", "first-error", "last-agent", "random"] as const;
export type Method = (typeof METHODS)[number];

export interface Attribution {
  agent: string | null;
  step: number | null;
}

export interface SeedOutcome {
  seed: number;
  fault: InjectedFault;
  truth: { agent: string; step: number; itemId: string };
  failed: boolean;
  byMethod: Record<Method, Attribution>;
  /** Whether replaying the IDG's root cause with the correct output made the failure go away. */
  confirmedByReplay: boolean | null;
}

export interface MethodScore {
  split: "fault-injection";
  method: Method | "idg+replay" | "idg:planner-faults";
  n: number;
  agentAccuracy: number;
  stepAccuracy: number;
}

const isAgentItem = (i: Item) =>
  !i.author.startsWith("tool:") && !i.author.startsWith("guard:") && i.author !== "user";

function firstError(items: Item[]): Attribution {
  const first = items.find((i) => i.labels.includes("fail") || i.labels.includes("error"));
  return first ? { agent: first.author, step: first.step } : { agent: null, step: null };
}

function lastAgent(items: Item[]): Attribution {
  const failure = items.findIndex((i) => i.labels.includes("fail") || i.labels.includes("error"));
  const before = items
    .slice(0, failure === -1 ? items.length : failure)
    .filter((i) => isAgentItem(i) && i.author !== "verifier");
  const last = before.at(-1);
  return last ? { agent: last.author, step: last.step } : { agent: null, step: null };
}

function randomPick(items: Item[], seed: number): Attribution {
  const pool = items.filter(isAgentItem);
  const pick = pool[Math.floor(seededRandom(seed * 31 + 7)() * pool.length)];
  return pick ? { agent: pick.author, step: pick.step } : { agent: null, step: null };
}

function runFileOf(result: TeamResult): RunFile {
  return {
    ...toRunFile(result, { task: "relay the probe readings", agents: [], includePrivate: true }),
    format: RUN_FILE_FORMAT,
    version: RUN_FILE_VERSION,
  };
}

/** One seed: a clean run for the truth, a faulty run, every method's attribution, and a replay. */
export async function runSeed(seed: number, options: { replay?: boolean } = {}): Promise<SeedOutcome> {
  const scenario = generateScenario(seed);
  const clean = await faultTeam(scenario).run("relay the probe readings", {
    threadId: `clean-${seed}`,
    runId: `clean-${seed}`,
  });
  const truthAnswer = clean.finalAnswer ?? "";
  const fault = chooseFault(scenario, seed);
  const team = faultTeam(scenario, fault, truthAnswer);
  const threadId = `fault-${seed}`;
  const faulty = await team.run("relay the probe readings", { threadId, runId: threadId });
  // A planner fault is made in the plan; a specialist's in its step's output.
  const injected =
    fault.kind === "wrong-key"
      ? faulty.items.find((i) => i.kind === "plan")
      : faulty.items.find((i) => i.kind === "step_output" && i.labels.includes(`plan-step:${fault.stepId}`));
  if (!injected) throw new Error(`seed ${seed}: the injected step produced no output`);
  const input = parseRunFile(runFileOf(faulty), `fault-injection seed ${seed}`);
  const traced = await traceRun(input, { groundTruth: truthAnswer });
  const root = traced.report.rootCause;
  const byMethod: Record<Method, Attribution> = {
    idg: root ? { agent: root.agent, step: root.step } : { agent: null, step: null },
    "first-error": firstError(faulty.items),
    "last-agent": lastAgent(faulty.items),
    random: randomPick(faulty.items, seed),
  };
  let confirmedByReplay: boolean | null = null;
  // Replay re-runs a step with a corrected output; a corrected plan is not replayed.
  if (options.replay && root && fault.kind !== "wrong-key") {
    // The root cause may be the agent's tool call rather than its output: replay the output of
    // the same agent's turn.
    const item = faulty.items.find((i) => i.id === root.itemId);
    const output = faulty.items.find(
      (i) => i.kind === "step_output" && i.author === item?.author && i.step === item?.step,
    );
    const stepId = output?.labels.find((l) => l.startsWith("plan-step:"))?.slice("plan-step:".length);
    const cleanOutput = clean.items.find(
      (i) => i.kind === "step_output" && i.labels.includes(`plan-step:${stepId}`),
    );
    if (stepId && cleanOutput) {
      const replayed = await team.replayFrom(threadId, output?.id ?? root.itemId, {
        [stepId]: String(cleanOutput.content),
      });
      confirmedByReplay = replayed.status === "finished";
    } else {
      confirmedByReplay = false;
    }
  }
  return {
    seed,
    fault,
    truth: { agent: fault.agent, step: injected.step, itemId: injected.id },
    failed: faulty.status === "failed",
    byMethod,
    confirmedByReplay,
  };
}

/** Accuracy per method over traced runs (pass only runs that failed: a run that did not fail has no cause). */
export function score(outcomes: ReadonlyArray<SeedOutcome>): MethodScore[] {
  const pct = (k: number) => (outcomes.length === 0 ? 0 : (100 * k) / outcomes.length);
  const rows: MethodScore[] = METHODS.map((method) => ({
    split: "fault-injection",
    method,
    n: outcomes.length,
    agentAccuracy: pct(outcomes.filter((o) => o.byMethod[method].agent === o.truth.agent).length),
    stepAccuracy: pct(outcomes.filter((o) => o.byMethod[method].step === o.truth.step).length),
  }));
  // The planner's faults on their own: the provenance of plan steps is what makes them traceable.
  const planner = outcomes.filter((o) => o.fault.kind === "wrong-key");
  if (planner.length > 0) {
    const hits = (f: (o: SeedOutcome) => boolean) => (100 * planner.filter(f).length) / planner.length;
    rows.push({
      split: "fault-injection",
      method: "idg:planner-faults",
      n: planner.length,
      agentAccuracy: hits((o) => o.byMethod.idg.agent === o.truth.agent),
      stepAccuracy: hits((o) => o.byMethod.idg.step === o.truth.step),
    });
  }
  const replayed = outcomes.filter((o) => o.confirmedByReplay !== null);
  if (replayed.length > 0) {
    const confirmed = replayed.filter(
      (o) =>
        o.confirmedByReplay && o.byMethod.idg.step === o.truth.step && o.byMethod.idg.agent === o.truth.agent,
    ).length;
    rows.push({
      split: "fault-injection",
      method: "idg+replay",
      n: replayed.length,
      agentAccuracy: (100 * confirmed) / replayed.length,
      stepAccuracy: (100 * confirmed) / replayed.length,
    });
  }
  return rows;
}
