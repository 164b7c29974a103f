import { z } from "zod";
import { fromZodError, type Item, UserInputError } from "../../core/index.js";
import type { TraceInput } from "../types.js";

const EntrySchema = z.looseObject({
  content: z
    .union([z.string(), z.null()])
    .transform((c) => c ?? "")
    .pipe(z.string()),
  role: z.string().min(1),
  name: z.string().optional(),
});

/** One Who&When record (both splits); labels are optional so unlabelled logs can be traced too. */
export const WhoAndWhenRecordSchema = z.looseObject({
  question: z.string(),
  question_ID: z.union([z.string(), z.number()]).optional(),
  ground_truth: z.union([z.string(), z.number(), z.array(z.unknown()), z.null()]).optional(),
  history: z.array(EntrySchema).min(1),
  mistake_agent: z.string().optional(),
  mistake_step: z
    .union([z.string().regex(/^\d+$/, "must be a digit string"), z.number().int().nonnegative()])
    .optional(),
  mistake_reason: z.string().optional(),
});
export type WhoAndWhenRecord = z.infer<typeof WhoAndWhenRecordSchema>;

export type WhoAndWhenSplit = "algorithm-generated" | "hand-crafted";

/** The acting agent of a history entry: `name` when present, else `role` without "(...)". */
export function entryAgent(entry: { role: string; name?: string | undefined }): string {
  if (entry.name !== undefined && entry.name.trim() !== "") return entry.name.trim();
  return entry.role.replace(/\s*\([^)]*\)\s*$/, "").trim() || entry.role;
}

/** Hand-crafted records carry no `name` on their entries; algorithm-generated ones do. */
export function detectSplit(record: WhoAndWhenRecord, hint?: string): WhoAndWhenSplit {
  const h = (hint ?? "").toLowerCase();
  if (h.includes("hand")) return "hand-crafted";
  if (h.includes("algorithm")) return "algorithm-generated";
  return record.history.some((e) => e.name !== undefined) ? "algorithm-generated" : "hand-crafted";
}

// Executors only run what another agent wrote; recognised by name or by their output's shape.
const TOOL_NAME_RE = /(terminal|executor|interpreter|code_?runner|^tool\b|_tool$|^function$)/i;
const TOOL_OUTPUT_RE = /^\s*exit ?code:\s*-?\d+/i;
const HUMAN_RE = /^(human|user|task)$/i;

export function parseWhoAndWhen(raw: unknown, file: string, splitHint?: string): TraceInput {
  const parsed = WhoAndWhenRecordSchema.safeParse(raw);
  if (!parsed.success) {
    throw fromZodError(parsed.error, {
      file,
      hint: "expected a Who&When record: {question, history[{content, role, name?}], ...}",
    });
  }
  const record = parsed.data;
  const runId = `ww-${record.question_ID ?? "record"}`;
  const items: Item[] = record.history.map((entry, index) => {
    const agent = entryAgent(entry);
    const isTool = TOOL_NAME_RE.test(agent) || TOOL_OUTPUT_RE.test(entry.content);
    const isHuman = entry.name === undefined && HUMAN_RE.test(entry.role);
    return {
      id: `s${index}`,
      runId,
      step: index,
      author: agent,
      kind: isHuman ? "task" : isTool ? "tool_result" : "message",
      content: entry.content,
      audience: ["*"],
      sensitivity: "internal",
      labels: entry.role !== agent ? [`role:${entry.role}`] : [],
      derivedFrom: [],
    };
  });
  const input: TraceInput = {
    source: "imported",
    origin: file,
    task: record.question,
    items,
    events: [],
    finalAnswer: extractFinalAnswer(record.history.map((e) => e.content)),
    split: detectSplit(record, splitHint),
  };
  if (record.ground_truth !== undefined && record.ground_truth !== null) {
    input.groundTruth =
      typeof record.ground_truth === "string" ? record.ground_truth : JSON.stringify(record.ground_truth);
  }
  if (record.mistake_agent !== undefined && record.mistake_step !== undefined) {
    const step = Number(record.mistake_step);
    if (step >= record.history.length) {
      throw new UserInputError(
        `mistake_step ${step} is past the end of history (${record.history.length} entries)`,
        {
          file,
          field: "mistake_step",
          hint: "mistake_step is a 0-based index into history",
        },
      );
    }
    input.labels = { mistakeAgent: record.mistake_agent, mistakeStep: step };
    if (record.mistake_reason !== undefined) input.labels.mistakeReason = record.mistake_reason;
  }
  return input;
}

/** The answer a log ends with, when it states one ("FINAL ANSWER: ..."). */
export function extractFinalAnswer(contents: ReadonlyArray<string>): string | null {
  for (let i = contents.length - 1; i >= 0; i--) {
    const m = /final answer\s*[:：]\s*([^\n]+)/i.exec(contents[i] ?? "");
    if (m?.[1]) return m[1].trim();
  }
  return null;
}
