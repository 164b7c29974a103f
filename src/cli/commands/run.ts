import { readFileSync } from "node:fs";
import { fileURLToPath } from "node:url";
import type { Command } from "commander";
import { PlanSchema } from "../../agents/schemas.js";
import type { Item } from "../../core/index.js";
import { parseDocument, UserInputError } from "../../core/index.js";
import type { ApprovalDecision } from "../../graph/approval.js";
import { printJson, println } from "../output.js";
import { resumeThread, runScenarioFile, type ScenarioRunOutcome } from "../team-runner.js";
import type { CommandGroups } from "./index.js";

/** The embedded default scenario: runs with no model and no network. */
export const DEMO_SCENARIO = fileURLToPath(
  new URL("../../../scenarios/incident-response.yaml", import.meta.url),
);

interface RunFlags {
  model?: string;
  offline?: boolean;
  db?: string;
  store?: string;
  json?: boolean;
  out: string;
  thread?: string;
  includePrivate?: boolean;
}

export function register(program: Command, _groups: CommandGroups): void {
  program
    .command("demo")
    .argument("[feature]", "team (default), compositional or magpie", "team")
    .description(
      "run a built-in scenario with no model and show what happened: the team (default), the compositional-privacy defenses, or a MAGPIE negotiation with the message guard",
    )
    .option("--json", "print only the machine-readable result")
    .option("--out <dir>", "where to write the run file", "runs")
    .option(
      "--model <name>",
      "run the agents on this model (OPENAI_BASE_URL / OPENAI_API_KEY from the environment)",
    )
    .option("--offline", "deterministic even when a model is configured")
    .action(async (feature: string, flags: RunFlags) => {
      if (feature === "compositional" || feature === "magpie") {
        await featureDemo(program, feature, flags);
        return;
      }
      if (feature !== "team") {
        throw new UserInputError(`no demo named ${feature}`, {
          field: "feature",
          hint: "team, compositional or magpie",
        });
      }
      const outcome = await runScenarioFile(DEMO_SCENARIO, { ...flags, progress: !flags.json });
      report(outcome, flags, "demo");
    });

  program
    .command("run")
    .argument("<scenario>", "scenario YAML file (see scenarios/README.md)")
    .description("run a team scenario; deterministic unless a model is configured")
    .option("--db <path>", "SQLite file for checkpoints (lets `quorum resume` continue the run)")
    .option("--store <path|url>", "SQLite file or postgres:// connection string (default: QUORUM_STORE)")
    .option("--thread <id>", "thread id to use (default: a new one)")
    .option("--json", "print only the machine-readable result")
    .option("--out <dir>", "where to write the run file", "runs")
    .option("--include-private", "keep private and sensitive content in the run file")
    .option(
      "--model <name>",
      "run the agents on this model (OPENAI_BASE_URL / OPENAI_API_KEY from the environment)",
    )
    .option("--offline", "deterministic even when a model is configured")
    .action(async (scenario: string, flags: RunFlags) => {
      const outcome = await runScenarioFile(scenario, { ...flags, progress: !flags.json });
      report(outcome, flags, "run");
    });

  program
    .command("resume")
    .argument("<threadId>", "thread id printed when the run started")
    .description("continue a run from its last checkpoint (after a crash, or to answer a plan approval)")
    .option("--db <path>", "the SQLite file the run was started with")
    .option("--store <path|url>", "the store the run was started with (default: QUORUM_STORE)")
    .option("--approve", "approve the plan waiting for approval")
    .option("--reject [note]", "reject the plan waiting for approval")
    .option(
      "--edit <file.json>",
      "replace the plan waiting for approval (or the tool call's arguments) with this one",
    )
    .option("--json", "print only the machine-readable result")
    .option("--out <dir>", "where to write the run file", "runs")
    .option("--include-private", "keep private and sensitive content in the run file")
    .option("--offline", "refuse to resume a run that was started with a model")
    .action(
      async (
        threadId: string,
        flags: RunFlags & { approve?: boolean; reject?: string | boolean; edit?: string },
      ) => {
        const decision = approvalFrom(flags);
        const outcome = await resumeThread(threadId, {
          ...flags,
          progress: !flags.json,
          ...(decision ? { decision } : {}),
        });
        report(outcome, flags, "resume");
      },
    );
}

const FEATURE_DEMOS = {
  compositional: {
    file: fileURLToPath(new URL("../../../scenarios/privacy/compositional-demo.yaml", import.meta.url)),
    args: (file: string) => [
      "--data",
      file,
      "--defense",
      "none,tom,codef",
      "--adversary",
      "direct,relay",
      "--explain",
    ],
  },
  magpie: {
    file: fileURLToPath(new URL("../../../scenarios/privacy/magpie-office-move.yaml", import.meta.url)),
    args: (file: string) => ["--script", file, "--guard", "detector", "--items"],
  },
} as const;

/** The privacy demos are the eval harnesses on scenarios of ours, so they share their output. */
async function featureDemo(
  program: Command,
  feature: keyof typeof FEATURE_DEMOS,
  flags: RunFlags,
): Promise<void> {
  const demo = FEATURE_DEMOS[feature];
  const command = program.commands
    .find((c) => c.name() === "eval")
    ?.commands.find((c) => c.name() === feature);
  if (!command) throw new UserInputError(`the ${feature} harness is not available`, { field: "feature" });
  await command.parseAsync([...demo.args(demo.file), ...(flags.json ? ["--json"] : [])], { from: "user" });
}

function approvalFrom(flags: {
  approve?: boolean;
  reject?: string | boolean;
  edit?: string;
}): ApprovalDecision | undefined {
  const chosen = [flags.approve, flags.reject, flags.edit].filter(
    (f) => f !== undefined && f !== false,
  ).length;
  if (chosen > 1) throw new UserInputError("choose one of --approve, --reject, --edit", { field: "flags" });
  if (flags.approve) return { action: "approve" };
  if (flags.reject !== undefined && flags.reject !== false) {
    return { action: "reject", ...(typeof flags.reject === "string" ? { note: flags.reject } : {}) };
  }
  if (flags.edit) {
    let text: string;
    try {
      text = readFileSync(flags.edit, "utf8");
    } catch (error) {
      throw new UserInputError("cannot read the edit", {
        file: flags.edit,
        field: "--edit",
        cause: error,
      });
    }
    return parseEditedPlan(text, flags.edit);
  }
  return undefined;
}

/**
 * An edit (`resume --edit file.json`) as an approval decision: a plan (`{"steps": [...]}`) for a
 * plan approval, any other object as the arguments of the tool call waiting. Errors name file and
 * field.
 */
export function parseEditedPlan(text: string, file: string): ApprovalDecision {
  const raw = parseDocument(text, file, "json");
  const isArgs = typeof raw === "object" && raw !== null && !Array.isArray(raw) && !("steps" in raw);
  if (isArgs) return { action: "edit", args: raw as Record<string, unknown> };
  const parsed = PlanSchema.safeParse(raw);
  if (parsed.success) return { action: "edit", plan: parsed.data };
  const issue = parsed.error.issues[0];
  throw new UserInputError(issue?.message ?? "invalid plan", {
    file,
    field: (issue?.path ?? []).join(".") || "(root)",
    hint: 'a plan is {"steps":[{"id","assignee","toolCalls":[{"tool","args"}],"dependsOn"}]}; a tool call\'s arguments are any other object',
  });
}

function report(outcome: ScenarioRunOutcome, flags: RunFlags, mode: "demo" | "run" | "resume"): void {
  const r = outcome.result;
  if (flags.json) {
    printJson({
      runId: r.runId,
      threadId: r.threadId,
      status: r.status,
      reason: r.reason,
      finalAnswer: r.finalAnswer,
      runFile: outcome.runFile,
      modelMode: outcome.modelMode,
      usage: r.usage,
      ...(r.interrupt ? { interrupt: r.interrupt } : {}),
    });
  } else {
    printStory(outcome, mode);
  }
  process.exitCode = runExitCode(r.status);
  if (outcome.interrupted) {
    // 130 is what a shell reports for Ctrl-C.
    const store = storeFlag(flags);
    process.stderr.write(
      store
        ? `interrupted: the run is checkpointed; carry on with quorum resume ${r.threadId} ${store}\n`
        : "interrupted (only a run started with --db or --store can be resumed)\n",
    );
    process.exitCode = 130;
  }
}

/**
 * 0 finished (or waiting for approval), 1 failed or stopped by a budget, 2 blocked by a guard or
 * the user: a script sees the refusal, as it sees a refused input.
 */
export function runExitCode(status: ScenarioRunOutcome["result"]["status"]): number {
  if (status === "failed" || status === "stopped") return 1;
  if (status === "blocked") return 2;
  return 0;
}

/** The store flag to repeat on `quorum resume` (a connection string may hold a password: not repeated). */
function storeFlag(flags: RunFlags): string | undefined {
  if (flags.db) return `--db ${flags.db}`;
  if (flags.store || process.env.QUORUM_STORE) return "--store <the same store>";
  return undefined;
}

function printStory(outcome: ScenarioRunOutcome, mode: string): void {
  const r = outcome.result;
  const s = outcome.scenario;
  println(
    `Quorum ${mode}: ${s.name}${outcome.modelMode ? ` (model: ${outcome.modelMode})` : " (deterministic: scripted agents, no model)"}`,
  );
  println(`Task: ${s.task}`);
  println(`Agents: ${s.agents.map((a) => `${a.name} (${a.role})`).join(", ")}`);
  const plans = r.items.filter((i) => i.kind === "plan");
  for (const p of plans) {
    const plan = p.content as {
      steps: Array<{
        id: string;
        assignee: string;
        description: string;
        toolCalls: Array<{ tool: string }>;
        dependsOn: string[];
      }>;
    };
    println(`\nPlan by ${p.author}${p.labels.includes("edited") ? " (edited)" : ""}:`);
    for (const st of plan.steps) {
      const tools = st.toolCalls.map((t) => t.tool).join(", ");
      const deps = st.dependsOn.length ? ` after ${st.dependsOn.join(", ")}` : "";
      println(
        `  ${st.id.padEnd(10)} ${st.assignee.padEnd(12)} ${st.description}${tools ? ` [${tools}]` : ""}${deps}`,
      );
    }
  }
  println("\nWhat happened:");
  for (const i of r.items) {
    const line = storyLine(i);
    if (line) println(`  step ${String(i.step).padStart(2)}  ${line}`);
  }
  const denied = r.events.filter((e) => e.type === "denied");
  if (denied.length > 0) {
    println("\nAccess denied (recorded, not served):");
    for (const e of denied)
      if (e.type === "denied") println(`  step ${String(e.step).padStart(2)}  ${e.reason} (via ${e.via})`);
  }
  const verdicts = r.items.filter((i) => i.kind === "verdict");
  println(`\nGuard verdicts: ${verdicts.length === 0 ? "none (no guards configured)" : ""}`);
  for (const v of verdicts) {
    const c = v.content as { guard: string; decision: string; rationale: string };
    println(`  ${c.guard}: ${c.decision} (${c.rationale})`);
  }
  println(`\nStatus: ${r.status}${r.reason ? ` (${r.reason})` : ""}`);
  if (r.finalAnswer !== null) println(`Final answer: ${r.finalAnswer}`);
  if (r.interrupt) {
    const what =
      r.interrupt.kind === "tool_approval"
        ? `${r.interrupt.agent}'s ${r.interrupt.tool} call (${r.interrupt.reason})`
        : "the plan";
    const edit = r.interrupt.kind === "tool_approval" ? "args.json" : "plan.json";
    println(
      `Waiting for approval of ${what}: quorum resume ${r.threadId} --db <file> --approve | --reject | --edit ${edit}`,
    );
  }
  println(`Model calls: ${r.usage.modelCalls}, tokens: ${r.usage.inputTokens + r.usage.outputTokens}`);
  println(`Thread: ${r.threadId}`);
  println(`Run file: ${outcome.runFile}`);
}

function storyLine(i: Item): string | null {
  const text = (v: unknown) => (typeof v === "string" ? v : JSON.stringify(v));
  const short = (s: string) => (s.length > 100 ? `${s.slice(0, 97)}...` : s);
  switch (i.kind) {
    case "tool_call": {
      const c = i.content as { tool: string; args: unknown };
      return `${i.author} calls ${c.tool}(${short(JSON.stringify(c.args))})`;
    }
    case "step_output":
      return `${i.author}: ${short(text(i.content))}`;
    case "verification": {
      const c = i.content as {
        stepId?: string;
        final?: boolean;
        pass: boolean;
        reasons: string[];
        attempt?: number;
      };
      const what = c.final ? "final answer" : `${c.stepId} (attempt ${c.attempt})`;
      return `${i.author} ${c.pass ? "accepts" : "rejects"} ${what}${c.pass ? "" : `: ${c.reasons.join("; ")}`}`;
    }
    case "note": {
      const c = i.content as { route?: string; reason?: string; approval?: string };
      if (c.route) return `${i.author}: ${c.route}${c.reason ? ` (${c.reason})` : ""}`;
      if (c.approval) return `${i.author}: plan ${c.approval}`;
      return null;
    }
    case "memory_write":
      return `${i.author} writes memory ${(i.content as { key: string }).key}`;
    default:
      return null;
  }
}
