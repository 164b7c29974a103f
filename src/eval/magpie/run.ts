import type { MessageGuard } from "../../guards/types.js";
import type { Invocable } from "../../models/index.js";
import type { AgentPolicy } from "./agents.js";
import { judgeConversation } from "./judge.js";
import type { LoadProblem } from "./loader.js";
import type { PrivacyMode } from "./prompt.js";
import { type AgentMode, type MagpieReport, overall, type ScenarioReport } from "./report.js";
import type { MagpieScenario } from "./schema.js";
import { deliveredMessages, type ItemScore, scoreItems, summarise } from "./score.js";
import { type SimulationResult, simulate } from "./simulate.js";

export interface JudgeConfig {
  model: Invocable;
  modelName: string;
}

export interface RunMagpieOptions {
  scenarios: ReadonlyArray<MagpieScenario>;
  mode: Exclude<AgentMode, "replay">;
  /** The agents of one scenario. */
  policyFor: (scenario: MagpieScenario) => AgentPolicy;
  /** The message guards of one scenario (fresh per scenario). */
  guardsFor?: (scenario: MagpieScenario) => MessageGuard[];
  guardNames?: string[];
  rounds?: number;
  privacy?: PrivacyMode;
  /** LLM judge (model mode only). */
  judge?: JudgeConfig | null;
  model?: string | null;
  problems?: LoadProblem[];
  onScenarioDone?: (id: string) => void;
  onTurn?: (info: { scenario: string; round: number; agent: string }) => void;
}

export interface RunMagpieResult {
  report: MagpieReport;
  runs: SimulationResult[];
}

/** Runs every scenario, scores it with the detector (and the judge with a model), and reports. */
export async function runMagpie(options: RunMagpieOptions): Promise<RunMagpieResult> {
  const runs: SimulationResult[] = [];
  const reports: ScenarioReport[] = [];
  for (const scenario of options.scenarios) {
    const sim = await simulate({
      scenario,
      policy: options.policyFor(scenario),
      ...(options.rounds !== undefined ? { rounds: options.rounds } : {}),
      ...(options.privacy !== undefined ? { privacy: options.privacy } : {}),
      guards: options.guardsFor?.(scenario) ?? [],
      onTurn: (t) => options.onTurn?.({ scenario: scenario.id, round: t.round, agent: t.agent }),
    });
    runs.push(sim);
    reports.push(await scoreSimulation(sim, options.judge ?? null));
    options.onScenarioDone?.(scenario.id);
  }
  return { runs, report: magpieReport({ ...options, judged: options.judge != null }, reports) };
}

/** What a report says about the run as a whole, besides its scenarios. */
export type ReportMeta = Pick<RunMagpieOptions, "mode" | "model" | "guardNames" | "privacy" | "problems"> & {
  judged: boolean;
};

/** The report of scenarios run one by one (here, or by queue workers), in scenario order. */
export function magpieReport(meta: ReportMeta, reports: ScenarioReport[]): MagpieReport {
  return {
    format: "quorum.magpie-report",
    version: 1,
    mode: meta.mode,
    model: meta.model ?? null,
    privacy: meta.privacy ?? "explicit",
    guards: meta.guardNames ?? [],
    judge: meta.judged,
    scenarios: reports,
    overall: overall(reports),
    problems: meta.problems ?? [],
  };
}

export async function scoreSimulation(
  sim: SimulationResult,
  judge: JudgeConfig | null,
): Promise<ScenarioReport> {
  const { runtime, scenario } = sim;
  const messages = deliveredMessages(runtime.log, runtime.runId);
  const items: ItemScore[] = scoreItems(scenario, messages);
  let judgeError: string | null = null;
  let behaviour: ScenarioReport["behaviour"] = null;
  let taskCompletion: boolean | null = null;
  let taskReason: string | null = null;
  let judged = false;
  if (judge) {
    try {
      const lastStep = Math.max(0, ...runtime.log.events({ runId: runtime.runId }).map((e) => e.step));
      const verdict = await judgeConversation(
        judge.model,
        judge.modelName,
        scenario,
        messages,
        sim.consensus.text,
        runtime,
        lastStep + 1,
      );
      for (const item of items) {
        const r = verdict.ratings.get(item.id);
        item.judge = { rating: r?.rating ?? "none", evidence: [] };
        if (r?.evidence) item.judge.evidence = [{ kind: "phrase", start: 0, end: 0, text: r.evidence }];
      }
      behaviour = Object.fromEntries(scenario.agents.map((a) => [a.name, verdict.behaviours[a.name] ?? []]));
      taskCompletion = verdict.taskCompleted;
      taskReason = verdict.taskReason;
      judged = true;
    } catch (error) {
      judgeError = error instanceof Error ? error.message : String(error);
    }
  }
  const usage = runtime.meter.totals;
  return {
    id: scenario.id,
    agents: scenario.agents.length,
    privateItems: items.length,
    leakage: {
      detector: summarise(items.map((i) => ({ rating: i.detector.rating, penalty: i.penalty }))),
      judge: judged
        ? summarise(items.map((i) => ({ rating: i.judge?.rating ?? "none", penalty: i.penalty })))
        : null,
    },
    items,
    consensus: sim.consensus.reached,
    agreedProposal: sim.consensus.text ?? null,
    taskCompletion,
    taskReason,
    rounds: sim.rounds,
    roundsUsed: sim.roundsUsed,
    behaviour,
    guard: sim.guard,
    messages: messages.length,
    modelCalls: usage.modelCalls,
    tokens: { input: usage.inputTokens, output: usage.outputTokens },
    errors: sim.errors,
    judgeError,
  };
}
