import { readFileSync } from "node:fs";
import { z } from "zod";
import { formatPath, UserInputError } from "../../core/index.js";
import { type LoadProblem, normaliseRow } from "./loader.js";
import { type MagpieReport, overall, type ScenarioReport } from "./report.js";
import type { MagpieScenario } from "./schema.js";
import { deliveredMessages, scoreItems, summarise } from "./score.js";
import { setupRuntime } from "./simulate.js";

/**
 * Recorded conversations to audit with the detector (`quorum eval magpie --replay`). One JSON
 * object per line; see src/eval/magpie/README.md for the format.
 */
export const TRANSCRIPT_FORMAT = "quorum.magpie-transcript";

const Recipients = z.union([
  z
    .string()
    .min(1)
    .transform((s) => [s]),
  z.array(z.string().min(1)).min(1),
]);

export const TranscriptMessageSchema = z.object({
  from: z.string().min(1),
  to: Recipients,
  text: z.string(),
  round: z.number().int().positive().optional(),
  type: z.enum(["message", "proposal", "accept", "reject"]).default("message"),
  proposal_id: z.string().min(1).optional(),
});
export type TranscriptMessage = z.infer<typeof TranscriptMessageSchema>;

export const TranscriptSchema = z.object({
  format: z.literal(TRANSCRIPT_FORMAT).optional(),
  version: z.literal(1).optional(),
  /** A scenario id found in --data, or the MAGPIE row itself. */
  scenario: z.union([z.string().min(1), z.record(z.string(), z.unknown())]),
  run_id: z.string().min(1).optional(),
  messages: z.array(TranscriptMessageSchema),
});
export type Transcript = z.infer<typeof TranscriptSchema>;

export interface ReplayOptions {
  /** Scenarios that transcripts may name by id. */
  scenarios?: ReadonlyArray<MagpieScenario>;
  onDone?: (id: string) => void;
}

/** Scores every transcript of a JSON-lines file; a bad line is reported with its line and field and skipped. */
export async function replayFile(path: string, options: ReplayOptions = {}): Promise<MagpieReport> {
  let text: string;
  try {
    text = readFileSync(path, "utf8");
  } catch {
    throw new UserInputError(`cannot read transcripts: ${path}`, { file: path });
  }
  const problems: LoadProblem[] = [];
  const reports: ScenarioReport[] = [];
  const byId = new Map((options.scenarios ?? []).map((s) => [s.id, s]));
  const lines = text.split(/\r?\n/);
  for (const [i, line] of lines.entries()) {
    if (line.trim() === "") continue;
    const where = { file: path, line: i + 1 };
    let raw: unknown;
    try {
      raw = JSON.parse(line);
    } catch (error) {
      problems.push({ ...where, field: "(line)", message: `not valid JSON: ${(error as Error).message}` });
      continue;
    }
    const parsed = TranscriptSchema.safeParse(raw);
    if (!parsed.success) {
      const issue = parsed.error.issues[0];
      problems.push({
        ...where,
        field: issue && issue.path.length > 0 ? formatPath(issue.path) : "(line)",
        message: issue?.message ?? "invalid transcript",
      });
      continue;
    }
    const t = parsed.data;
    let scenario: MagpieScenario | null | undefined;
    if (typeof t.scenario === "string") {
      scenario = byId.get(t.scenario);
      if (!scenario) {
        problems.push({
          ...where,
          field: "scenario",
          message: `unknown scenario ${t.scenario}${byId.size === 0 ? " (pass --data with the scenarios, or inline the scenario)" : ""}`,
        });
        continue;
      }
    } else {
      scenario = normaliseRow(t.scenario, path, i + 1, problems, "scenario");
      if (!scenario) continue;
    }
    const result = await replayTranscript(scenario, t, i + 1);
    if ("problem" in result) {
      problems.push({ ...where, ...result.problem });
      continue;
    }
    reports.push(result.report);
    options.onDone?.(scenario.id);
  }
  return {
    format: "quorum.magpie-report",
    version: 1,
    mode: "replay",
    model: null,
    privacy: null,
    guards: [],
    judge: false,
    scenarios: reports,
    overall: overall(reports),
    problems,
  };
}

/** Puts a recorded conversation on a runtime (no guards: it already happened) and scores it. */
export async function replayTranscript(
  scenario: MagpieScenario,
  t: Transcript,
  line = 1,
): Promise<{ report: ScenarioReport } | { problem: { field: string; message: string } }> {
  const names = scenario.agents.map((a) => a.name);
  const runtime = setupRuntime(scenario, t.run_id ?? `replay-${scenario.id}-${line}`, []);
  const accepted = new Map<string, string>();
  const proposals = new Map<string, string>();
  let counter = 0;
  let maxRound = 0;
  for (const [i, m] of t.messages.entries()) {
    if (!names.includes(m.from)) {
      return { problem: { field: `messages.${i}.from`, message: `unknown agent ${m.from}` } };
    }
    const to = new Set<string>();
    for (const r of m.to) {
      if (["all", "everyone", "*"].includes(r.toLowerCase())) for (const n of names) to.add(n);
      else if (names.includes(r)) to.add(r);
      else return { problem: { field: `messages.${i}.to`, message: `unknown agent ${r}` } };
    }
    to.delete(m.from);
    const step = i + 1;
    maxRound = Math.max(maxRound, m.round ?? 0);
    let content: unknown = m.text;
    if (m.type === "proposal") {
      counter += 1;
      const id = m.proposal_id ?? `P${counter}`;
      proposals.set(id, m.text);
      accepted.set(m.from, id);
      content = { proposal: id, text: m.text };
    } else if (m.type === "accept" || m.type === "reject") {
      if (m.proposal_id === undefined) {
        return { problem: { field: `messages.${i}.proposal_id`, message: `${m.type} needs proposal_id` } };
      }
      if (m.type === "accept") accepted.set(m.from, m.proposal_id);
      else if (accepted.get(m.from) === m.proposal_id) accepted.delete(m.from);
      content = { [m.type]: m.proposal_id, reason: m.text };
    }
    if (to.size === 0) continue;
    // Sends go through the runtime so the audit sees exactly the audience of each message.
    await runtime.send({ from: m.from, to: names.filter((n) => to.has(n)), step, content });
  }
  const first = accepted.get(names[0] ?? "");
  const agreed = first !== undefined && names.every((n) => accepted.get(n) === first) ? first : null;
  const messages = deliveredMessages(runtime.log, runtime.runId);
  const items = scoreItems(scenario, messages);
  return {
    report: {
      id: scenario.id,
      agents: names.length,
      privateItems: items.length,
      leakage: {
        detector: summarise(items.map((it) => ({ rating: it.detector.rating, penalty: it.penalty }))),
        judge: null,
      },
      items,
      consensus: proposals.size === 0 ? null : agreed !== null,
      agreedProposal: agreed !== null ? (proposals.get(agreed) ?? null) : null,
      taskCompletion: null,
      taskReason: null,
      rounds: null,
      roundsUsed: maxRound > 0 ? maxRound : null,
      behaviour: null,
      guard: null,
      messages: messages.length,
      modelCalls: 0,
      tokens: { input: 0, output: 0 },
      errors: [],
      judgeError: null,
    },
  };
}
