import { mkdirSync, renameSync, rmSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import {
  checkId,
  type Item,
  RUN_FILE_FORMAT,
  RUN_FILE_VERSION,
  type RunEvent,
  type RunFile,
  redactByProvenance,
  scrubWords,
  type ToolApprovalWaiting,
  UserInputError,
} from "../core/index.js";
import { UsageMeter } from "../models/accounting.js";
import { waitingOf } from "./approval.js";
import type { Runtime } from "./runtime.js";
import type { TeamResult } from "./team-types.js";

export function toRunFile(
  result: TeamResult,
  meta: { task: string; agents: string[]; scenario?: string; includePrivate?: boolean },
): RunFile {
  const includePrivate = meta.includePrivate ?? false;
  const status = result.status === "running" ? "interrupted" : result.status;
  const saved = redactRun(
    {
      ...result,
      waitingFor: result.interrupt?.kind === "tool_approval" ? waitingOf(result.interrupt) : undefined,
    },
    includePrivate,
  );
  return {
    format: RUN_FILE_FORMAT,
    version: RUN_FILE_VERSION,
    runId: result.runId,
    threadId: result.threadId,
    ...(meta.scenario !== undefined ? { scenario: meta.scenario } : {}),
    task: meta.task,
    status,
    ...(saved.reason ? { reason: saved.reason } : {}),
    finalAnswer: saved.finalAnswer,
    agents: meta.agents,
    items: saved.items,
    events: saved.events,
    verdicts: result.items.filter((i) => i.kind === "verdict").map((i) => i.id),
    usage: result.usage,
    includesPrivate: includePrivate,
    ...(saved.waitingFor ? { waitingFor: saved.waitingFor } : {}),
  };
}

/**
 * What a run file saves of a run: redaction follows provenance (see `redactByProvenance`), and
 * text with no provenance of its own (the final answer, the reason, event messages and reasons)
 * has every private value of the run replaced.
 */
function redactRun(run: Redactable, includePrivate: boolean): Redactable {
  const { items, values } = redactByProvenance(run.items, includePrivate);
  if (values.length === 0) return { ...run, items };
  const set = new Set(values);
  const text = (s: string | null) => (s === null ? null : scrubWords(s, set));
  const events = run.events.map((e) => {
    const fields = e as { message?: unknown; reason?: unknown };
    if (typeof fields.message !== "string" && typeof fields.reason !== "string") return e;
    return {
      ...e,
      ...(typeof fields.message === "string" ? { message: scrubWords(fields.message, set) } : {}),
      ...(typeof fields.reason === "string" ? { reason: scrubWords(fields.reason, set) } : {}),
    } as RunEvent;
  });
  const waitingFor = run.waitingFor && {
    ...run.waitingFor,
    verdicts: run.waitingFor.verdicts.map((v) => ({ ...v, reason: scrubWords(v.reason, set) })),
  };
  return { items, events, finalAnswer: text(run.finalAnswer), reason: text(run.reason), waitingFor };
}

interface Redactable {
  items: Item[];
  events: RunEvent[];
  finalAnswer: string | null;
  reason: string | null;
  waitingFor?: ToolApprovalWaiting | undefined;
}

/**
 * Writes `<dir>/<runId>.json` atomically: the file is complete or absent, never half-written, and
 * a write that fails (full disk, read-only folder) leaves no temporary file behind.
 */
export function writeRunFile(dir: string, run: RunFile): string {
  // The run id is the file name: one outside the safe set could point anywhere (`../package`).
  const runId = checkId(run.runId, { field: "runId", what: "run id" });
  makeDir(dir);
  const path = join(dir, `${runId}.json`);
  const tmp = `${path}.${process.pid}.tmp`;
  try {
    writeFileSync(tmp, `${JSON.stringify(run, null, 2)}\n`);
    renameSync(tmp, path);
  } catch (error) {
    rmSync(tmp, { force: true });
    throw outError("cannot write the run file", path, error);
  }
  return path;
}

/**
 * Checks that run files can be written to `dir` (creating it), by writing and removing a probe
 * file: a command calls this before its first side effect, so a bad `--out` fails before anything
 * has run rather than after.
 */
export function assertWritableDir(dir: string): void {
  makeDir(dir);
  const probe = join(dir, `.quorum-probe-${process.pid}.tmp`);
  try {
    writeFileSync(probe, "");
  } catch (error) {
    throw outError("cannot write run files to this folder", dir, error);
  } finally {
    rmSync(probe, { force: true });
  }
}

function makeDir(dir: string): void {
  try {
    mkdirSync(dir, { recursive: true });
  } catch (error) {
    throw outError("cannot create the output folder", dir, error);
  }
}

function outError(what: string, file: string, error: unknown): UserInputError {
  const code = (error as NodeJS.ErrnoException).code;
  return new UserInputError(`${what}${code ? ` (${code})` : ""}`, {
    file,
    field: "--out",
    hint: "choose a writable folder with free space (--out DIR)",
    cause: error,
  });
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
  const saved = redactRun(
    { ...snapshot, finalAnswer: meta.finalAnswer, reason: meta.reason ?? null },
    includePrivate,
  );
  return {
    format: RUN_FILE_FORMAT,
    version: RUN_FILE_VERSION,
    runId: runtime.runId,
    threadId: runtime.runId,
    ...(meta.scenario !== undefined ? { scenario: meta.scenario } : {}),
    task: meta.task,
    status: meta.status,
    ...(saved.reason !== null ? { reason: saved.reason } : {}),
    finalAnswer: saved.finalAnswer,
    agents: meta.agents,
    items: saved.items,
    events: saved.events,
    verdicts: snapshot.items.filter((i) => i.kind === "verdict").map((i) => i.id),
    usage: UsageMeter.fromLog(runtime.log, runtime.runId).totals,
    includesPrivate: includePrivate,
  };
}
