import { HumanMessage, SystemMessage } from "@langchain/core/messages";
import { z } from "zod";
import {
  type Invocable,
  invokeStructured,
  ModelCallError,
  type ModelRecorder,
  UsageMeter,
} from "../../models/index.js";
import { buildIdg } from "../../trace/idg.js";
import { findRootCause, type RootCauseReport, withRootCause } from "../../trace/rootcause.js";
import type { Idg, IdgNode, TraceInput } from "../../trace/types.js";
import type { Attribution } from "./methods.js";

export const AllAtOnceReplySchema = z.object({
  agent: z.string().min(1),
  step: z.coerce.number().int().nonnegative(),
  reason: z.string().optional(),
});

/** Characters kept per step: enough to see what each turn did, small enough for one call. */
const FULL_CHARS = 1500;
const BRIEF_CHARS = 200;

/**
 * The log as the model sees it, pruned by the IDG: candidate items on dependency paths to the
 * failure keep more of their text, the rest are cut to a line.
 */
export function prunedLog(input: TraceInput, withGroundTruth: boolean): string {
  const idg = buildIdg(input);
  const view: TraceInput = { ...input };
  if (!withGroundTruth) delete view.groundTruth;
  const report = findRootCause(view, idg, { limit: 8 });
  const keep = new Set(report.candidates.flatMap((c) => [c.itemId, ...c.chain]));
  const lines = [`Task: ${input.task}`];
  if (withGroundTruth && input.groundTruth !== undefined) lines.push(`Correct answer: ${input.groundTruth}`);
  lines.push("Conversation (step | agent | content):");
  for (const n of idg.nodes) {
    const limit = keep.has(n.id) ? FULL_CHARS : BRIEF_CHARS;
    const text = n.text.length > limit ? `${n.text.slice(0, limit)} [...]` : n.text;
    lines.push(`--- step ${n.step} | ${n.agent} ---\n${text}`);
  }
  return lines.join("\n");
}

const SYSTEM =
  "You are judging a failed multi-agent run. Name the agent responsible for the failure and the first step " +
  "at which that agent made the decisive mistake. Steps are the numbers in the log. Reply with JSON only: " +
  '{"agent": "<agent name as written>", "step": <number>, "reason": "<one sentence>"}';

/** One model call over the whole (pruned) log. */
export async function attributeAllAtOnce(
  model: Invocable,
  input: TraceInput,
  options: { withGroundTruth: boolean; recorder?: ModelRecorder; index: number },
): Promise<Attribution> {
  const reply = await invokeStructured(
    model,
    [new SystemMessage(SYSTEM), new HumanMessage(prunedLog(input, options.withGroundTruth))],
    AllAtOnceReplySchema,
    {
      agent: "all-at-once",
      step: options.index,
      ...(options.recorder ? { recorder: options.recorder } : {}),
    },
  );
  return { agent: reply.value.agent.trim(), step: reply.value.step };
}

/**
 * `quorum trace --method model`: one model call over the pruned log names the agent and step; the
 * report is the IDG's (symptoms, chain, what is not a cause) with that item as the root cause, the
 * model's reason, and what the call cost. A run with no symptom costs no call.
 */
export async function traceWithModel(
  model: Invocable,
  input: TraceInput,
  options: { modelName: string; groundTruth?: string },
): Promise<{ idg: Idg; report: RootCauseReport }> {
  const idg = buildIdg(input);
  const view: TraceInput = { ...input };
  if (options.groundTruth !== undefined) view.groundTruth = options.groundTruth;
  const base = findRootCause(view, idg);
  if (!base.symptom) return { idg, report: base };
  const meter = new UsageMeter();
  const reply = await invokeStructured(
    model,
    [new SystemMessage(SYSTEM), new HumanMessage(prunedLog(view, view.groundTruth !== undefined))],
    AllAtOnceReplySchema,
    { agent: "trace-judge", step: 0, recorder: meter },
  );
  const item = itemAt(idg, reply.value.agent.trim(), reply.value.step);
  if (!item) {
    throw new ModelCallError(`the model named step ${reply.value.step}, which is no agent turn of this log`, {
      failure: "invalid_output",
      attempts: reply.attempts,
      agent: "trace-judge",
      hint: "the steps are the numbers in the log; try a stronger model or --method idg",
    });
  }
  const reason = reply.value.reason?.trim() || "named this step as the decisive mistake";
  const report = withRootCause(idg, base, item.id, {
    signal: "model_judgement",
    detail: `${options.modelName}: ${reason}`,
    weight: 0,
  });
  const used = meter.totals;
  report.judgedBy = {
    method: "model",
    model: options.modelName,
    modelCalls: used.modelCalls,
    inputTokens: used.inputTokens,
    outputTokens: used.outputTokens,
  };
  return { idg, report };
}

/** The agent item at a step: by the named agent if it has one there, else the first at that step. */
function itemAt(idg: Idg, agent: string, step: number): IdgNode | undefined {
  const at = idg.nodes.filter((n) => n.step === step && n.role === "agent");
  return at.find((n) => n.agent === agent) ?? at[0];
}
