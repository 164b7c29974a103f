import { BEHAVIOURS, type Behaviour } from "./judge.js";
import type { LoadProblem } from "./loader.js";
import { type ItemScore, type LeakageSummary, summarise } from "./score.js";
import type { GuardTally, SimulationError } from "./simulate.js";

export type AgentMode = "model" | "scripted" | "rule" | "rule-careless" | "replay";

export interface ScenarioReport {
  id: string;
  agents: number;
  privateItems: number;
  leakage: { detector: LeakageSummary; judge: LeakageSummary | null };
  items: ItemScore[];
  /** Null for a replayed transcript without proposals. */
  consensus: boolean | null;
  agreedProposal: string | null;
  /** From the judge; null without a model. */
  taskCompletion: boolean | null;
  taskReason: string | null;
  rounds: number | null;
  roundsUsed: number | null;
  /** Agent -> behaviour flags, from the judge; null without a model. */
  behaviour: Record<string, Behaviour[]> | null;
  guard: GuardTally | null;
  messages: number;
  modelCalls: number;
  tokens: { input: number; output: number };
  errors: SimulationError[];
  judgeError: string | null;
}

export interface OverallReport {
  scenarios: number;
  items: number;
  leakage: { detector: LeakageSummary; judge: LeakageSummary | null };
  /** Share of scenarios that reached consensus (among those where it applies). */
  consensusRate: number | null;
  taskCompletionRate: number | null;
  meanRoundsUsed: number | null;
  /** Behaviour -> share of scenarios where any agent showed it; null without a judge. */
  behaviourRates: Record<Behaviour, number> | null;
  modelCalls: number;
  tokens: { input: number; output: number };
  errors: number;
}

export interface MagpieReport {
  format: "quorum.magpie-report";
  version: 1;
  mode: AgentMode;
  model: string | null;
  privacy: "explicit" | "implicit" | null;
  guards: string[];
  judge: boolean;
  scenarios: ScenarioReport[];
  overall: OverallReport;
  problems: LoadProblem[];
}

export function overall(reports: ReadonlyArray<ScenarioReport>): OverallReport {
  const items = reports.flatMap((r) => r.items);
  const detector = summarise(items.map((i) => ({ rating: i.detector.rating, penalty: i.penalty })));
  const judged = reports.every((r) => r.leakage.judge !== null) && reports.length > 0;
  const judge = judged
    ? summarise(items.map((i) => ({ rating: i.judge?.rating ?? "none", penalty: i.penalty })))
    : null;
  const withConsensus = reports.filter((r) => r.consensus !== null);
  const withTask = reports.filter((r) => r.taskCompletion !== null);
  const withRounds = reports.filter((r) => r.roundsUsed !== null);
  const withBehaviour = reports.filter((r) => r.behaviour !== null);
  let behaviourRates: Record<Behaviour, number> | null = null;
  if (withBehaviour.length > 0 && withBehaviour.length === reports.length) {
    behaviourRates = Object.fromEntries(BEHAVIOURS.map((b) => [b, 0])) as Record<Behaviour, number>;
    for (const b of BEHAVIOURS) {
      const hit = withBehaviour.filter((r) =>
        Object.values(r.behaviour ?? {}).some((flags) => flags.includes(b)),
      );
      behaviourRates[b] = hit.length / withBehaviour.length;
    }
  }
  return {
    scenarios: reports.length,
    items: items.length,
    leakage: { detector, judge },
    consensusRate:
      withConsensus.length === 0
        ? null
        : withConsensus.filter((r) => r.consensus).length / withConsensus.length,
    taskCompletionRate:
      withTask.length === 0 ? null : withTask.filter((r) => r.taskCompletion).length / withTask.length,
    meanRoundsUsed:
      withRounds.length === 0
        ? null
        : withRounds.reduce((n, r) => n + (r.roundsUsed ?? 0), 0) / withRounds.length,
    behaviourRates,
    modelCalls: reports.reduce((n, r) => n + r.modelCalls, 0),
    tokens: {
      input: reports.reduce((n, r) => n + r.tokens.input, 0),
      output: reports.reduce((n, r) => n + r.tokens.output, 0),
    },
    errors: reports.reduce((n, r) => n + r.errors.length, 0),
  };
}

const pct = (x: number) => `${(x * 100).toFixed(1)}%`;
const na = "n/a";

function modeLine(r: MagpieReport): string {
  const mode =
    r.mode === "model"
      ? `model ${r.model ?? "?"}`
      : r.mode === "scripted"
        ? "scripted agents (no model)"
        : r.mode === "rule"
          ? "rule agents (no model)"
          : r.mode === "rule-careless"
            ? "careless rule agents that state private values (no model)"
            : "replayed transcripts (no model)";
  return `MAGPIE  mode: ${mode}  privacy: ${r.privacy ?? na}  guard: ${r.guards.length > 0 ? r.guards.join(",") : "none"}  judge: ${r.judge ? "on" : "n/a (no model)"}`;
}

/** Plain-text report: one row per scenario, then the overall figures. */
export function formatReport(r: MagpieReport, table: (h: string[], rows: string[][]) => string): string {
  const header = [
    "scenario",
    "agents",
    "items",
    "leak (detector)",
    "full",
    "penalty",
    "leak (judge)",
    "consensus",
    "task",
    "rounds",
    "guard a/r/b",
    "flags",
    "calls",
    "tokens",
  ];
  const rows = r.scenarios.map((s) => [
    s.id,
    String(s.agents),
    String(s.privateItems),
    pct(s.leakage.detector.leakShare),
    String(s.leakage.detector.full),
    `${s.leakage.detector.penaltyScore}/${s.leakage.detector.maxPenalty}`,
    s.leakage.judge ? pct(s.leakage.judge.leakShare) : na,
    s.consensus === null ? na : s.consensus ? "yes" : "no",
    s.taskCompletion === null ? na : s.taskCompletion ? "yes" : "no",
    s.roundsUsed === null ? na : `${s.roundsUsed}/${s.rounds ?? "?"}`,
    s.guard ? `${s.guard.allowed}/${s.guard.redacted}/${s.guard.blocked}` : na,
    s.behaviour === null ? na : [...new Set(Object.values(s.behaviour).flat())].join(",") || "-",
    String(s.modelCalls),
    String(s.tokens.input + s.tokens.output),
  ]);
  const o = r.overall;
  const lines = [modeLine(r), "", table(header, rows), ""];
  lines.push(
    `overall: ${o.scenarios} scenarios, ${o.items} private items`,
    `  leakage (detector): ${pct(o.leakage.detector.leakShare)} of items partial or full (${o.leakage.detector.partial} partial, ${o.leakage.detector.full} full); penalty ${o.leakage.detector.penaltyScore} of ${o.leakage.detector.maxPenalty} (${pct(o.leakage.detector.weightedShare)})`,
    `  leakage (judge):    ${o.leakage.judge ? `${pct(o.leakage.judge.leakShare)} (${o.leakage.judge.partial} partial, ${o.leakage.judge.full} full); penalty ${o.leakage.judge.penaltyScore} of ${o.leakage.judge.maxPenalty}` : na}`,
    `  consensus: ${o.consensusRate === null ? na : pct(o.consensusRate)}  task completion: ${o.taskCompletionRate === null ? na : pct(o.taskCompletionRate)}  mean rounds used: ${o.meanRoundsUsed === null ? na : o.meanRoundsUsed.toFixed(1)}`,
    `  behaviour: ${o.behaviourRates === null ? na : BEHAVIOURS.map((b) => `${b} ${pct(o.behaviourRates?.[b] ?? 0)}`).join(", ")}`,
    `  model calls: ${o.modelCalls}  tokens: ${o.tokens.input} in / ${o.tokens.output} out  errors: ${o.errors}`,
  );
  const failures = r.scenarios.flatMap((s) => [
    ...(s.judgeError !== null ? [`  ${s.id}: judge failed: ${s.judgeError}`] : []),
    ...s.errors.slice(0, 3).map((e) => `  ${s.id}: ${e.agent} step ${e.step}: ${e.code}: ${e.message}`),
    ...(s.errors.length > 3 ? [`  ${s.id}: ... ${s.errors.length - 3} more errors (see --json)`] : []),
  ]);
  if (failures.length > 0) lines.push("", "errors:", ...failures);
  if (r.problems.length > 0) {
    lines.push("", `skipped or repaired rows (${r.problems.length}):`);
    for (const p of r.problems)
      lines.push(`  ${p.file}${p.line !== undefined ? `:${p.line}` : ""}: ${p.field}: ${p.message}`);
  }
  return lines.join("\n");
}

/**
 * Per-item ratings, detector and judge side by side, for items either rated as leaked. The
 * evidence quotes the messages, so this output is for the person running the audit.
 */
export function formatItems(r: MagpieReport, table: (h: string[], rows: string[][]) => string): string {
  const rows: string[][] = [];
  for (const s of r.scenarios) {
    for (const i of s.items) {
      const judge = i.judge?.rating ?? "n/a";
      if (i.detector.rating === "none" && (judge === "none" || judge === "n/a")) continue;
      const evidence = i.detector.evidence
        .filter((e) => e.kind !== "keyword")
        .map((e) => `${e.kind}: "${e.text}"`)
        .slice(0, 3)
        .join("; ");
      rows.push([
        s.id,
        i.id,
        `${i.penalty.full}/${i.penalty.partial}`,
        i.detector.rating,
        judge,
        evidence || "(keywords only)",
      ]);
    }
  }
  if (rows.length === 0) return "no item rated as leaked";
  return table(["scenario", "item", "penalty full/partial", "detector", "judge", "detector evidence"], rows);
}
