import { z } from "zod";
import { fromZodError, ItemKind, Sensitivity } from "../core/index.js";
import { SIGNAL_KINDS } from "./signals.js";
import { EDGE_KINDS } from "./types.js";
import { TRACE_FORMAT, TRACE_VERSION, type TraceView } from "./view.js";

const SymptomSchema = z.object({
  itemId: z.string(),
  agent: z.string(),
  step: z.number().int().nonnegative(),
  kind: z.enum(["wrong_final_answer", "failed_verification", "blocked_plan", "tool_error", "final_step"]),
  detail: z.string(),
});

const CandidateSchema = z.object({
  itemId: z.string(),
  agent: z.string(),
  step: z.number().int().nonnegative(),
  index: z.number().int().nonnegative(),
  score: z.number(),
  reasons: z.array(
    z.object({
      signal: z.enum([...SIGNAL_KINDS, "position"]),
      detail: z.string(),
      weight: z.number(),
      seenAt: z.string().optional(),
    }),
  ),
  claim: z.string().optional(),
  chain: z.array(z.string()),
  status: z.enum(["suspect", "confirmed", "refuted"]),
  replay: z.object({ fixed: z.boolean(), detail: z.string() }).optional(),
});

/** The saved form of `--format json` (`quorum.trace`, version 1), for tools that read it back. */
export const TraceFileSchema = z.object({
  format: z.literal(TRACE_FORMAT),
  version: z.literal(TRACE_VERSION),
  origin: z.string(),
  task: z.string(),
  source: z.enum(["run", "imported"]),
  edgesInferred: z.boolean(),
  includesPrivate: z.boolean(),
  nodes: z.array(
    z.object({
      id: z.string(),
      index: z.number().int().nonnegative(),
      step: z.number().int().nonnegative(),
      agent: z.string(),
      role: z.enum(["task", "agent", "tool", "verdict"]),
      kind: ItemKind,
      sensitivity: Sensitivity,
      content: z.string(),
      redacted: z.boolean(),
      verdicts: z.array(z.object({ by: z.string(), decision: z.string(), rationale: z.string() })),
      mark: z.enum(["root", "chain", "symptom", "candidate"]).nullable(),
    }),
  ),
  edges: z.array(
    z.object({
      from: z.string(),
      to: z.string(),
      kind: z.enum(EDGE_KINDS),
      confidence: z.number().min(0).max(1),
      evidence: z.array(z.string()),
      onChain: z.boolean(),
    }),
  ),
  report: z.object({
    source: z.enum(["run", "imported"]),
    symptom: SymptomSchema.nullable(),
    symptoms: z.array(SymptomSchema),
    candidates: z.array(CandidateSchema),
    rootCause: CandidateSchema.nullable(),
    agents: z.array(z.object({ agent: z.string(), score: z.number() })),
    notCauses: z.array(
      z.object({
        itemId: z.string(),
        agent: z.string(),
        step: z.number().int().nonnegative(),
        why: z.string(),
      }),
    ),
    groundTruthUsed: z.boolean(),
    finalAnswerCorrect: z.boolean().nullable(),
    judgedBy: z
      .object({
        method: z.literal("model"),
        model: z.string(),
        modelCalls: z.number().int().nonnegative(),
        inputTokens: z.number().int().nonnegative(),
        outputTokens: z.number().int().nonnegative(),
      })
      .optional(),
  }),
});

export function parseTraceFile(raw: unknown, file: string): TraceView {
  const parsed = TraceFileSchema.safeParse(raw);
  if (!parsed.success) {
    throw fromZodError(parsed.error, {
      file,
      hint: "expected a trace written by quorum trace --format json",
    });
  }
  return parsed.data;
}
