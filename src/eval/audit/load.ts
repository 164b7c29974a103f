import { existsSync, readFileSync } from "node:fs";
import { fromZodError, RunFileSchema, UserInputError } from "../../core/index.js";
import { loadScenario, type Scenario } from "../../graph/scenario.js";
import { exportTrace, parseRunFile, traceRun } from "../../trace/index.js";
import { type AuditReport, auditRun, type ToolInfo } from "./audit.js";
import { type Canary, scenarioCanaries, valueCanaries } from "./canaries.js";

export interface AuditOptions {
  /** Canary values given by the user. */
  canaries?: ReadonlyArray<string>;
  /** A log file to search too (pino JSON lines or plain text). */
  logFile?: string;
  /**
   * The scenario the run came from: its private values become canaries and its tools say which
   * calls go outside. Defaults to the scenario the run file names, when that file exists.
   */
  scenarioFile?: string;
}

function readText(file: string, what: string): string {
  try {
    return readFileSync(file, "utf8");
  } catch (error) {
    throw new UserInputError(`cannot read ${what}`, { file, hint: "check the path", cause: error });
  }
}

export function toolInfo(s: Scenario): ToolInfo[] {
  return s.tools.map((t) => ({
    name: t.name,
    outside: t.sinks.length > 0 || t.effects.includes("sends_outside") || t.effects.includes("moves_money"),
  }));
}

/** Reads a run file (and the scenario and log, when there are some) and audits every channel. */
export async function auditRunFile(file: string, options: AuditOptions = {}): Promise<AuditReport> {
  const text = readText(file, "run file");
  let raw: unknown;
  try {
    raw = JSON.parse(text);
  } catch (error) {
    throw new UserInputError(`not valid JSON: ${(error as Error).message.split("\n")[0]}`, {
      file,
      field: "(root)",
      hint: "pass a run file written by quorum run (runs/<runId>.json)",
    });
  }
  const parsed = RunFileSchema.safeParse(raw);
  if (!parsed.success)
    throw fromZodError(parsed.error, { file, hint: "expected a quorum run file (format quorum.run)" });
  const run = parsed.data;

  const scenarioPath =
    options.scenarioFile ?? (run.scenario && existsSync(run.scenario) ? run.scenario : undefined);
  const scenario = scenarioPath !== undefined ? loadScenario(scenarioPath) : undefined;
  // With nothing declared, CANARY-... tokens are still recognised wherever they appear.
  const canaries: Canary[] = [
    ...(scenario ? scenarioCanaries(scenario) : []),
    ...valueCanaries(options.canaries ?? []),
  ];
  // The exports a user would make with `quorum trace --format ...` (default: redacted).
  const traced = await traceRun(parseRunFile(raw, file));
  const exports = {
    json: exportTrace(traced.view, "json"),
    dot: exportTrace(traced.view, "dot"),
    mermaid: exportTrace(traced.view, "mermaid"),
    html: exportTrace(traced.view, "html"),
  };
  return auditRun({
    run,
    runFileText: text,
    canaries,
    exports,
    ...(options.logFile !== undefined ? { logText: readText(options.logFile, "log file") } : {}),
    ...(scenario ? { tools: toolInfo(scenario) } : {}),
  });
}
