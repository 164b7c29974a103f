import { readFileSync } from "node:fs";
import { resolve } from "node:path";
import type { BaseChatModel } from "@langchain/core/language_models/chat_models";
import { checkId, UserInputError } from "../core/index.js";
import type { ApprovalDecision } from "../graph/approval.js";
import { teamFromScenario } from "../graph/from-scenario.js";
import { assertWritableDir, toRunFile, writeRunFile } from "../graph/runfile.js";
import { parseScenario, type Scenario } from "../graph/scenario.js";
import { scenarioGuards } from "../graph/scenario-guards.js";
import { type RunStore, withThreadLease } from "../graph/store.js";
import type { Team } from "../graph/team.js";
import type { TeamResult } from "../graph/team-types.js";
import { createChatModel, modelConfigFromEnv } from "../models/index.js";
import { withCtrlC } from "./ctrl-c.js";
import { openStore, withStore } from "./store.js";

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
  /** SQLite file (`--db`, kept for existing scripts). */
  db?: string;
  /** SQLite file or `postgres://` connection string (`--store`; QUORUM_STORE otherwise). */
  store?: string;
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
  /** True when Ctrl-C stopped the run (checkpointed; `quorum resume` carries on). */
  interrupted?: boolean;
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

/** The store the flags or QUORUM_STORE name, if any: `--store` wins over `--db`. */
export function storeSpec(options: { store?: string; db?: string }): string | undefined {
  return options.store ?? options.db ?? (process.env.QUORUM_STORE || undefined);
}

function newThreadId(): string {
  return `thread-${Date.now().toString(36)}-${Math.random().toString(36).slice(2, 8)}`;
}

/**
 * Loads a scenario file, runs it (checkpointed to the store when one is given, holding the
 * thread's lease) and writes the run file.
 */
export async function runScenarioFile(
  path: string,
  options: ScenarioRunOptions,
): Promise<ScenarioRunOutcome> {
  const spec = storeSpec(options);
  return spec
    ? withStore(spec, () => runScenario(path, spec, options))
    : runScenario(path, undefined, options);
}

async function runScenario(
  path: string,
  spec: string | undefined,
  options: ScenarioRunOptions,
): Promise<ScenarioRunOutcome> {
  const text = readText(path);
  const scenario = parseScenario(text, path);
  const chosen = chooseModel(options);
  const threadId =
    options.thread !== undefined
      ? checkId(options.thread, { file: "command line", field: "--thread", what: "thread id" })
      : newThreadId();
  const runId = threadId.replace(/^thread-/, "run-");
  assertWritableDir(options.out);
  const store = spec ? await openStore(spec) : undefined;
  try {
    const team = teamFromScenario(scenario, {
      ...modelOptions(chosen, options.progress),
      guards: scenarioGuards(scenario, path),
      ...(store ? { checkpointer: store.checkpointer, journal: store.journal } : {}),
    });
    if (store) {
      const created = await store.createThread({
        threadId,
        runId,
        scenarioPath: resolve(path),
        scenarioText: text,
        createdAt: new Date().toISOString(),
        model: chosen?.name ?? null,
      });
      if (!created) {
        throw new UserInputError(`thread ${threadId} already exists in the database`, {
          file: store.location,
          hint: `use quorum resume ${threadId}`,
        });
      }
    }
    if (options.progress) process.stderr.write(`thread: ${threadId}\n`);
    const onNode = progress(options.progress);
    const { value: result, interrupted } = await withCtrlC((signal) => {
      const go = () => team.run(scenario.task, { threadId, runId, signal, ...(onNode ? { onNode } : {}) });
      return store ? withThreadLease(store, threadId, go) : go();
    });
    return { ...(await finish(scenario, team, result, options, path, chosen?.name ?? null)), interrupted };
  } finally {
    await store?.close();
  }
}

/**
 * Continues a checkpointed run; the scenario is read back from the database, not the disk. A
 * thread registered but killed before its first checkpoint starts from the beginning.
 */
export async function resumeThread(
  threadId: string,
  options: ScenarioRunOptions & { decision?: ApprovalDecision },
): Promise<ScenarioRunOutcome> {
  const spec = storeSpec(options);
  if (!spec) {
    throw new UserInputError("resume needs the store the run was started with", {
      field: "--store",
      hint: "pass --store PATH|postgres://... (or --db PATH), or set QUORUM_STORE",
    });
  }
  checkId(threadId, { file: "command line", field: "threadId", what: "thread id" });
  assertWritableDir(options.out);
  return withStore(spec, () => resumeFrom(spec, threadId, options));
}

async function resumeFrom(
  spec: string,
  threadId: string,
  options: ScenarioRunOptions & { decision?: ApprovalDecision },
): Promise<ScenarioRunOutcome> {
  const store = await openStore(spec);
  try {
    return await withThreadLease(store, threadId, () => resumeLeased(store, threadId, options));
  } finally {
    await store.close();
  }
}

async function resumeLeased(
  store: RunStore,
  threadId: string,
  options: ScenarioRunOptions & { decision?: ApprovalDecision },
): Promise<ScenarioRunOutcome> {
  const thread = await store.loadThread(threadId);
  if (!thread) {
    throw new UserInputError(`no thread ${threadId} in the database`, {
      file: store.location,
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
  const started = (await team.state(threadId)) !== undefined;
  const { value: result, interrupted } = await withCtrlC((signal) => {
    const runOptions = { signal, ...(onNode ? { onNode } : {}) };
    return started
      ? team.resume(threadId, options.decision, runOptions)
      : team.run(scenario.task, { threadId, runId: thread.runId, ...runOptions });
  });
  return {
    ...(await finish(scenario, team, result, options, thread.scenarioPath, chosen?.name ?? null)),
    interrupted,
  };
}
