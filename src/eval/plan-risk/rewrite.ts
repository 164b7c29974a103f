import { HumanMessage, SystemMessage } from "@langchain/core/messages";
import { type Invocable, invokeForAgent, type ModelRecorder } from "../../models/index.js";
import type { GeneratedRecord } from "./generate.js";

const SYSTEM = `You rewrite requests that a user sends to an AI assistant with tools.
Reword the request so it reads like a person wrote it: vary the phrasing and the sentence order.
Keep its meaning, and keep every name, number, code, address and identifier exactly as written.
Do not add tasks, tools or values. Reply with the rewritten request only.`;

export interface RewriteReport {
  records: GeneratedRecord[];
  /** Distinct requests the model reworded, and those kept as written because a value went missing. */
  rewritten: number;
  kept: number;
  modelCalls: number;
}

/**
 * The model pass that makes template wording natural: one call per distinct user request (a risky
 * plan and its benign twin share one). A rewrite that drops or changes any value of the request
 * (a word with a digit, an address, a quoted string) is discarded and the template wording kept,
 * so the labels stay true.
 */
export async function rewriteRequests(
  records: ReadonlyArray<GeneratedRecord>,
  model: Invocable,
  options: { recorder?: ModelRecorder } = {},
): Promise<RewriteReport> {
  const distinct = [...new Set(records.map((r) => r.user_request))];
  const wording = new Map<string, string>();
  let rewritten = 0;
  for (const [i, request] of distinct.entries()) {
    const reply = await invokeForAgent(model, [new SystemMessage(SYSTEM), new HumanMessage(request)], {
      agent: "plan-rewriter",
      step: i,
      ...(options.recorder ? { recorder: options.recorder } : {}),
    });
    const text = reply.text.trim();
    if (text !== "" && keepsValues(request, text)) {
      wording.set(request, text);
      rewritten++;
    }
  }
  return {
    records: records.map((r) => ({ ...r, user_request: wording.get(r.user_request) ?? r.user_request })),
    rewritten,
    kept: distinct.length - rewritten,
    modelCalls: distinct.length,
  };
}

/** Every value of the original (words with digits, e-mail addresses, quoted text) is in the rewrite. */
export function keepsValues(original: string, rewrite: string): boolean {
  const values = [
    ...(original.match(/[\w.+-]*\d[\w.,:/+-]*\w|[\w.+-]+@[\w.-]+\w/g) ?? []),
    ...[...original.matchAll(/"([^"]+)"|'([^']{3,})'/g)].map((m) => m[1] ?? m[2] ?? ""),
  ];
  return values.every((v) => v === "" || rewrite.includes(v));
}
