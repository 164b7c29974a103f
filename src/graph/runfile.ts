import { mkdirSync, renameSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { RUN_FILE_FORMAT, RUN_FILE_VERSION, type RunFile, redactItem } from "../core/index.js";
import { UsageMeter } from "../models/accounting.js";
import type { Runtime } from "./runtime.js";
import type { TeamResult } from "./team.js";

export function toRunFile(
  result: TeamResult,
  meta: { task: string; agents: string[]; scenario?: string; includePrivate?: boolean },
): RunFile {
  const includePrivate = meta.includePrivate ?? false;
  const status = result.status === "running" ? "interrupted" : result.status;
  return {
    format: RUN_FILE_FORMAT,
    version: RUN_FILE_VERSION,
    runId: result.runId,
    threadId: result.threadId,
    ...(meta.scenario !== undefined ? { scenario: meta.scenario } : {}),
    task: meta.task,
    status,
    ...(result.reason ? { reason: result.reason } : {}),
    finalAnswer: result.finalAnswer,
    agents: meta.agents,
    items: result.items.map((i) => redactItem(i, includePrivate)),
    events: result.events,
    verdicts: result.items.filter((i) => i.kind === "verdict").map((i) => i.id),
    usage: result.usage,
    includesPrivate: includePrivate,
  };
}

/** Writes `<dir>/<runId>.json` atomically: the file is complete or absent, never half-written. */
export function writeRunFile(dir: string, run: RunFile): string {
  mkdirSync(dir, { recursive: true });
  const path = join(dir, `${run.runId}.json`);
  const tmp = `${path}.${process.pid}.tmp`;
  writeFileSync(tmp, `${JSON.stringify(run, null, 2)}\n`);
  renameSync(tmp, path);
  return path;
}

/** A run file for a harness that drives the Runtime directly (no team graph). */
export function runtimeRunFile(
  runtime: Runtime,
  meta: {
    scenario?: string;
    task: string;
    status: RunFile["status"];
    reason?: string;
    finalAnswer: string | null;
    agents: string[];
    includePrivate?: boolean;
  },
): RunFile {
  const includePrivate = meta.includePrivate ?? false;
  const snapshot = runtime.log.snapshot(runtime.runId);
  return {
    format: RUN_FILE_FORMAT,
    version: RUN_FILE_VERSION,
    runId: runtime.runId,
    threadId: runtime.runId,
    ...(meta.scenario !== undefined ? { scenario: meta.scenario } : {}),
    task: meta.task,
    status: meta.status,
    ...(meta.reason !== undefined ? { reason: meta.reason } : {}),
    finalAnswer: meta.finalAnswer,
    agents: meta.agents,
    items: snapshot.items.map((i) => redactItem(i, includePrivate)),
    events: snapshot.events,
    verdicts: snapshot.items.filter((i) => i.kind === "verdict").map((i) => i.id),
    usage: UsageMeter.fromLog(runtime.log, runtime.runId).totals,
    includesPrivate: includePrivate,
  };
}
