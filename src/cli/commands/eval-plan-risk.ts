import type { Command } from "commander";
import { z } from "zod";
import { UserInputError } from "../../core/index.js";
import {
  type BreakdownRow,
  breakdown,
  type Confusion,
  loadPlanRiskData,
  runPlanRisk,
} from "../../eval/plan-risk/index.js";
import { createPlanGuard } from "../../guards/plan/guard.js";
import { loadPolicy } from "../../guards/plan/policy.js";
import { createChatModel } from "../../models/factory.js";
import { parseFlags } from "../flags.js";
import { dataOrSample } from "../no-data.js";
import { printJson, println, table } from "../output.js";
import { createProgress } from "../progress.js";
import { DEFAULT_VIEW, PlanGuardFlags } from "./guard-plan.js";
import type { CommandGroups } from "./index.js";

/** The shipped sample (examples/data/plan-risk/r-judge-sample.json); the full public dataset is R-Judge or ASSEBench (repo Astarojth/AgentAuditor-ASSEBench). */
export const DEFAULT_DATA = "examples/data/plan-risk/r-judge-sample.json";
const SOURCE = "R-Judge or ASSEBench (repo Astarojth/AgentAuditor-ASSEBench)";

const FlagsSchema = PlanGuardFlags.extend({ data: z.string().min(1).optional() });

export function register(_program: Command, groups: CommandGroups): void {
  groups.eval
    .command("plan-risk")
    .description("pre-execution plan guard on R-Judge / ASSEBench trajectories or Safiron-style records")
    .option(
      "--data <file>",
      `labelled records (JSON array, JSON lines, or a folder with one file); default ${DEFAULT_DATA}`,
    )
    .option(
      "--view <view>",
      "plan: actions only | observations: actions with the tool outputs before them",
      DEFAULT_VIEW,
    )
    .option("--mode <mode>", "rules | judge | layered (rules, then the judge for what they pass)", "rules")
    .option("--model <name>", "judge model for judge/layered, via OPENAI_BASE_URL")
    .option("--policy <file>", "policy YAML (default: the shipped policies/default.yaml)")
    .option(
      "--json",
      'print exactly {"n","accuracy","precision","recall","f1","fpr","riskTypeAccuracy","p50Ms","p99Ms","confusion"}',
    )
    .action(async (raw: Record<string, unknown>) => {
      await runCommand(raw);
    });
}

async function runCommand(raw: Record<string, unknown>): Promise<void> {
  const flags = parseFlags(FlagsSchema, raw, "eval plan-risk");
  const data = dataOrSample(flags.data, DEFAULT_DATA, SOURCE);
  const records = loadPlanRiskData(data);
  if (records.length === 0)
    throw new UserInputError("no records to evaluate", {
      file: data,
      field: "(root)",
      hint: "the file holds no record",
    });
  const guard = createPlanGuard({
    mode: flags.mode,
    ...(flags.policy !== undefined ? { policy: loadPolicy(flags.policy) } : {}),
    ...(flags.mode !== "rules"
      ? { judge: createChatModel(flags.model !== undefined ? { model: flags.model } : {}) }
      : {}),
  });
  const progress = createProgress(`plan-risk ${flags.view}/${flags.mode}`, records.length);
  const report = await runPlanRisk(records, {
    view: flags.view,
    guard,
    onRecord: (o) => progress.tick(o.id),
    // Rules are deterministic: keep each plan's best of 7 passes so machine load does not pose as guard cost.
    repeats: flags.mode === "rules" ? 7 : 1,
  });
  progress.stop();
  const m = report.metrics;
  if (flags.json) {
    printJson({
      n: m.n,
      accuracy: m.accuracy,
      precision: m.precision,
      recall: m.recall,
      f1: m.f1,
      fpr: m.fpr,
      riskTypeAccuracy: m.riskTypeAccuracy,
      p50Ms: m.p50Ms,
      p99Ms: m.p99Ms,
      confusion: m.confusion,
    });
    return;
  }
  println(`plan-risk on ${data} (view ${flags.view}, mode ${flags.mode}, policy ${guard.policy.name})`);
  println(
    table(
      ["n", "accuracy", "precision", "recall", "F1", "FPR (safe)", "risk-type acc", "p50 ms", "p99 ms"],
      [
        [
          String(m.n),
          m.accuracy.toFixed(1),
          m.precision.toFixed(1),
          m.recall.toFixed(1),
          m.f1.toFixed(1),
          m.fpr.toFixed(1),
          m.riskTypeAccuracy === null ? "n/a" : m.riskTypeAccuracy.toFixed(1),
          m.p50Ms.toFixed(3),
          m.p99Ms.toFixed(3),
        ],
      ],
    ),
  );
  println(`model calls: ${report.modelCalls}, fail-closed verdicts: ${report.failClosed}`);
  if (flags.mode === "rules")
    println("latency: per plan, record to verdict, fastest of 7 passes after a warm-up pass");
  const rules = Object.entries(report.ruleCounts).sort((a, b) => b[1] - a[1]);
  if (rules.length > 0) println(`rules fired (plans): ${rules.map(([r, c]) => `${r} ${c}`).join(", ")}`);
  if (m.confusion === null) println("risk-type accuracy: n/a (the data has no gold risk types)");
  else printConfusion(m.confusion);
  if (report.outcomes.some((o) => o.strategy !== undefined)) printBreakdown(report.outcomes);
}

/** Gold risk type against the type the verdict named, over the flagged unsafe records with a gold type. */
function printConfusion(confusion: Confusion): void {
  println();
  const rows = Object.entries(confusion).map(([gold, row]) => {
    const cells = Object.entries(row).sort((a, b) => b[1] - a[1] || a[0].localeCompare(b[0]));
    const n = cells.reduce((sum, [, c]) => sum + c, 0);
    return [gold, String(n), cells.map(([t, c]) => `${t} ${c}`).join(", ")];
  });
  println(table(["gold risk type", "flagged", "predicted risk type (records)"], rows));
}

/** Generated records: detection and localisation per strategy and per category. */
function printBreakdown(outcomes: Parameters<typeof breakdown>[0]): void {
  const header = [
    "risky",
    "detected %",
    "names first risky step %",
    "first named = first risky %",
    "benign",
    "benign flagged %",
  ];
  const row = (r: BreakdownRow) => [
    r.group,
    String(r.risky),
    r.detected.toFixed(1),
    r.named.toFixed(1),
    r.exact.toFixed(1),
    String(r.benign),
    r.fpr.toFixed(1),
  ];
  println();
  println(table(["strategy", ...header], breakdown(outcomes, (o) => o.strategy).map(row)));
  println();
  const byCategory = breakdown(outcomes, (o) => (o.unsafe ? o.goldRiskType : undefined));
  println(
    table(
      ["category", ...header.slice(0, 4)],
      byCategory.map((r) => row(r).slice(0, 5)),
    ),
  );
  println("localisation: % of flagged risky plans; the first risky step is the generator's label");
}
