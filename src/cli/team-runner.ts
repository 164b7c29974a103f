import { readFileSync } from "node:fs";
import { resolve } from "node:path";
import type { BaseChatModel } from "@langchain/core/language_models/chat_models";
import { checkId, UserInputError } from "../core/index.js";
import { teamFromScenario } from "../graph/from-scenario.js";
import { assertWritableDir, toRunFile, writeRunFile } from "../graph/runfile.js";
import { parseScenario, type Scenario } from "../graph/scenario.js";
import type { ApprovalDecision, Team, TeamResult } from "../graph/team.js";
import { createChatModel, modelConfigFromEnv } from "../models/index.js";
import { withDatabase } from "./db-errors.js";
import { scenarioGuards } from "./scenario-guards.js";
import { openStore } from "./store.js";

/**
 * Deterministic unless a model is asked for (--model) or configured (QUORUM_MODEL or
 * OPENAI_BASE_URL); --offline always wins.
 */
export function chooseModel(options: {
  model?: string;
  offline?: boolean;
}): { model: BaseChatModel; name: string } | null {
  if (options.offline) return null;
  const env = modelConfigFromEnv();
  if (options.model === undefined && env === null) return null;
  const model = createChatModel(options.model !== undefined ? { model: options.model } : {});
  return { model, name: options.model ?? env?.model ?? "configured model" };
}

function modelOptions(chosen: { model: BaseChatModel } | null, progress: boolean | undefined) {
  if (!chosen) return {};
  return {
    model: chosen.model,
    ...(progress ? { onToken: (t: string) => process.stderr.write(t) } : {}),
  };
}

export interface ScenarioRunOptions {
  /** Model name for model mode (otherwise QUORUM_MODEL / OPENAI_BASE_URL decide). */
  model?: string;
  /** Force deterministic mode even when a model is configured. */
  offline?: boolean;
  db?: string;
  thread?: string;
  out: string;
  includePrivate?: boolean;
  progress?: boolean;
}

export interface ScenarioRunOutcome {
  scenario: Scenario;
  result: TeamResult;
  runFile: string;
  /** The model used, or null in deterministic mode. */
  modelMode: string | null;
}

function readText(path: string): string {
  try {
    return readFileSync(path, "utf8");
  } catch (error) {
    throw new UserInputError("cannot read scenario file", {
      file: path,
      hint: "check the path",
      cause: error,
    });
  }
}

function progress(enabled: boolean | undefined): ((node: string) => void) | undefined {
  if (!enabled) return undefined;
  return (node) => process.stderr.write(`  · ${node}\n`);
}

async function finish(
  scenario: Scenario,
  team: Team,
  result: TeamResult,
  options: ScenarioRunOptions,
  file: string,
  modelName: string | null,
): Promise<ScenarioRunOutcome> {
  const run = toRunFile(result, {
    task: scenario.task,
    agents: team.agentNames,
    scenario: file,
    ...(options.includePrivate ? { includePrivate: true } : {}),
  });
  const runFile = writeRunFile(options.out, run);
  return { scenario, result, runFile, modelMode: modelName };
}

/** Loads a scenario file, runs it (checkpointed to SQLite with --db) and writes the run file. */
export async function runScenarioFile(
  path: string,
  options: ScenarioRunOptions,
): Promise<ScenarioRunOutcome> {
  const db = options.db;
  return db ? withDatabase(db, () => runScenario(path, options)) : runScenario(path, options);
}

async function runScenario(path: string, options: ScenarioRunOptions): Promise<ScenarioRunOutcome> {
  const threadId =
    options.thread !== undefined
      ? checkId(options.thread, { file: "command line", field: "--thread", what: "thread id" })
      : `thread-${Date.now().toString(36)}-${Math.random().toString(36).slice(2, 8)}`;
  const runId = threadId.replace(/^thread-/, "run-");
  const text = readText(path);
  const scenario = parseScenario(text, path);
  const chosen = chooseModel(options);
  assertWritableDir(options.out);
  const store = options.db ? openStore(options.db) : undefined;
  try {
    const team = teamFromScenario(scenario, {
      ...modelOptions(chosen, options.progress),
      guards: scenarioGuards(scenario, path),
      ...(store ? { checkpointer: store.checkpointer, journal: store.journal } : {}),
    });
    if (store) {
      if (store.loadThread(threadId)) {
        throw new UserInputError(`thread ${threadId} already exists in the database`, {
          file: options.db as string,
          hint: `use quorum resume ${threadId}`,
        });
      }
      store.saveThread({
        threadId,
        runId,
        scenarioPath: resolve(path),
        scenarioText: text,
        createdAt: new Date().toISOString(),
        model: chosen?.name ?? null,
      });
    }
    if (options.progress) process.stderr.write(`thread: ${threadId}\n`);
    const onNode = progress(options.progress);
    const result = await team.run(scenario.task, { threadId, runId, ...(onNode ? { onNode } : {}) });
    return await finish(scenario, team, result, options, path, chosen?.name ?? null);
  } finally {
    store?.close();
  }
}

/** Continues a checkpointed run; the scenario is read back from the database, not the disk. */
export async function resumeThread(
  threadId: string,
  options: ScenarioRunOptions & { db: string; decision?: ApprovalDecision },
): Promise<ScenarioRunOutcome> {
  checkId(threadId, { file: "command line", field: "threadId", what: "thread id" });
  assertWritableDir(options.out);
  return withDatabase(options.db, () => resumeFrom(threadId, options));
}

async function resumeFrom(
  threadId: string,
  options: ScenarioRunOptions & { db: string; decision?: ApprovalDecision },
): Promise<ScenarioRunOutcome> {
  const store = openStore(options.db);
  try {
    const thread = store.loadThread(threadId);
    if (!thread) {
      throw new UserInputError(`no thread ${threadId} in the database`, {
        file: options.db,
        hint: "check the thread id printed when the run started",
      });
    }
    const scenario = parseScenario(thread.scenarioText, thread.scenarioPath);
    // A run resumes in the mode it started in.
    const chosen =
      thread.model === null
        ? null
        : chooseModel({ model: thread.model, ...(options.offline ? { offline: true } : {}) });
    if (thread.model !== null && chosen === null) {
      throw new UserInputError(`thread ${threadId} was started with model ${thread.model}`, {
        hint: "resume it with a model configured (drop --offline)",
      });
    }
    const team = teamFromScenario(scenario, {
      ...modelOptions(chosen, options.progress),
      guards: scenarioGuards(scenario, thread.scenarioPath),
      checkpointer: store.checkpointer,
      journal: store.journal,
    });
    const onNode = progress(options.progress);
    const result = await team.resume(threadId, options.decision, onNode ? { onNode } : {});
    return await finish(scenario, team, result, options, thread.scenarioPath, chosen?.name ?? null);
  } finally {
    store.close();
  }
}
