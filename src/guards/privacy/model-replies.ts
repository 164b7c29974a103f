import type { BaseChatModel } from "@langchain/core/language_models/chat_models";
import { HumanMessage, SystemMessage } from "@langchain/core/messages";
import { z } from "zod";
import type { EventLog } from "../../core/index.js";

/**
 * The published ToM reply: exactly three lines, in this order. Anything else is malformed and the
 * guard blocks (a guard that cannot read its own verdict must not let the answer through).
 */
export const TomReplySchema = z.object({
  likelyInference: z.string().min(1),
  adversarialIntent: z.enum(["Yes", "No"]),
  suspectedGoal: z.string().min(1),
});
export type TomReply = z.infer<typeof TomReplySchema>;

export type Parsed<T> = { ok: true; value: T } | { ok: false; reason: string };

const TOM_LINES = [
  ["Likely Inference", "likelyInference"],
  ["Adversarial Intent", "adversarialIntent"],
  ["Suspected Goal", "suspectedGoal"],
] as const;

export function parseTomReply(text: string): Parsed<TomReply> {
  const lines = text
    .trim()
    .split(/\r?\n/)
    .map((l) => l.trim())
    .filter((l) => l !== "");
  if (lines.length !== TOM_LINES.length) {
    return { ok: false, reason: `expected ${TOM_LINES.length} lines, got ${lines.length}` };
  }
  const out: Record<string, string> = {};
  for (const [i, [label, key]] of TOM_LINES.entries()) {
    const line = lines[i] ?? "";
    const prefix = `${label}:`;
    if (!line.startsWith(prefix))
      return { ok: false, reason: `line ${i + 1} does not start with "${prefix}"` };
    out[key] = line.slice(prefix.length).trim();
  }
  const parsed = TomReplySchema.safeParse(out);
  if (!parsed.success) {
    const issue = parsed.error.issues[0];
    return { ok: false, reason: `${issue?.path.join(".") ?? "reply"}: ${issue?.message ?? "invalid"}` };
  }
  return { ok: true, value: parsed.data };
}

/** A CoDef ballot: A answer, B block, C vague answer. */
export const Vote = z.enum(["A", "B", "C"]);
export type Vote = z.infer<typeof Vote>;

export interface Ballot {
  vote: Vote;
  reason: string;
}

/** `Vote: <A|B|C>` on the first line, optionally `Reason: <text>` on the second; nothing else. */
export function parseBallot(text: string): Parsed<Ballot> {
  const lines = text
    .trim()
    .split(/\r?\n/)
    .map((l) => l.trim())
    .filter((l) => l !== "");
  const first = /^Vote:\s*([ABC])$/.exec(lines[0] ?? "");
  if (!first) return { ok: false, reason: 'first line is not "Vote: A", "Vote: B" or "Vote: C"' };
  if (lines.length > 2) return { ok: false, reason: `expected at most 2 lines, got ${lines.length}` };
  let reason = "";
  if (lines.length === 2) {
    const second = /^Reason:\s*(.+)$/.exec(lines[1] ?? "");
    if (!second) return { ok: false, reason: 'second line does not start with "Reason:"' };
    reason = second[1] ?? "";
  }
  return { ok: true, value: { vote: Vote.parse(first[1]), reason } };
}

export interface ModelReply {
  text: string;
  inputTokens: number;
  outputTokens: number;
}

/** One chat call with a system and a user message. Non-text content (tool calls, images) comes back as "". */
export async function invokeModel(
  model: BaseChatModel,
  system: string,
  user: string,
  agent: string,
): Promise<ModelReply> {
  // The agent name rides in the metadata so scripted models can answer per agent.
  const reply = await model.invoke([new SystemMessage(system), new HumanMessage(user)], {
    metadata: { agent },
  });
  const text =
    typeof reply.content === "string"
      ? reply.content
      : reply.content
          .map((part) =>
            typeof part === "object" && part !== null && "text" in part ? String(part.text) : "",
          )
          .join("");
  const usage = reply.usage_metadata;
  return { text, inputTokens: usage?.input_tokens ?? 0, outputTokens: usage?.output_tokens ?? 0 };
}

/** invokeModel, recording a model_call event on the log so a guard's usage is counted like any agent's. */
export async function callModel(
  model: BaseChatModel,
  system: string,
  user: string,
  record: { log: EventLog; runId: string; step: number; agent: string; modelName: string },
): Promise<ModelReply> {
  const reply = await invokeModel(model, system, user, record.agent);
  record.log.record({
    type: "model_call",
    runId: record.runId,
    step: record.step,
    agent: record.agent,
    model: record.modelName,
    inputTokens: reply.inputTokens,
    outputTokens: reply.outputTokens,
  });
  return reply;
}
