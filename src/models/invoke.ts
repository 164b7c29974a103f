import { AIMessage, type AIMessageChunk, type BaseMessage, HumanMessage } from "@langchain/core/messages";
import type { z } from "zod";
import type { ModelError } from "../core/index.js";
import { modelNameOf } from "./factory.js";
import {
  backoffDelayMs,
  classifyModelError,
  isRetryable,
  ModelCallError,
  type ModelCallErrorOptions,
  PolicyCaller,
  type RetryPolicy,
  RetryPolicySchema,
  retryAfterMsOf,
} from "./retry.js";

/** The retry policy installed on a model by createChatModel, or the default one. */
function policyOf(model: unknown): RetryPolicy {
  const caller = (model as { caller?: unknown } | null)?.caller;
  return caller instanceof PolicyCaller ? caller.policy : RetryPolicySchema.parse({});
}

/** Where model usage goes: the Runtime, or a bare UsageMeter in tests and harnesses. */
export interface ModelRecorder {
  recordModelCall(
    agent: string,
    step: number,
    model: string,
    inputTokens: number,
    outputTokens: number,
  ): void;
}

/** The part of a chat model (or a model with tools bound) the helpers need. */
export interface Invocable {
  invoke(
    input: BaseMessage[],
    options?: { metadata?: Record<string, unknown>; signal?: AbortSignal },
  ): Promise<BaseMessage>;
}

export interface AgentCallOptions {
  agent: string;
  step: number;
  recorder?: ModelRecorder;
  /** Name recorded for the call; defaults to the model's own name. */
  modelName?: string;
  signal?: AbortSignal;
}

export interface AgentReply {
  message: AIMessage | AIMessageChunk;
  text: string;
  inputTokens: number;
  outputTokens: number;
}

/** Text of a message whose content is a string or a list of content blocks. */
export function textOf(message: BaseMessage): string {
  const c = message.content;
  if (typeof c === "string") return c;
  return c
    .map((block) => (typeof block === "string" ? block : block.type === "text" ? String(block["text"]) : ""))
    .join("");
}

/** Token counts a reply reports (zero when it reports none). */
export function usageOf(message: BaseMessage): { inputTokens: number; outputTokens: number } {
  const u = AIMessage.isInstance(message) ? message.usage_metadata : undefined;
  return { inputTokens: u?.input_tokens ?? 0, outputTokens: u?.output_tokens ?? 0 };
}

function toModelError(error: unknown, agent: string, step: number): ModelError {
  if (error instanceof ModelCallError)
    return error.agent === undefined ? error.withContext(agent, step) : error;
  const c = classifyModelError(error);
  const opts: ModelCallErrorOptions = { failure: c.failure, attempts: 1, agent, step, cause: error };
  if (c.status !== undefined) opts.status = c.status;
  return new ModelCallError(`model call failed (${c.failure}): ${c.detail}`, opts);
}

/** Records the reply's usage against the agent and step, and shapes the reply. */
function recorded(
  message: AIMessage | AIMessageChunk,
  model: unknown,
  options: AgentCallOptions,
): AgentReply {
  const { inputTokens, outputTokens } = usageOf(message);
  options.recorder?.recordModelCall(
    options.agent,
    options.step,
    options.modelName ?? modelNameOf(model),
    inputTokens,
    outputTokens,
  );
  return { message, text: textOf(message), inputTokens, outputTokens };
}

/**
 * Calls the model for one agent step and records the tokens it reports. Failures come back as a
 * ModelError naming the agent and step; transport retries already happened inside the model.
 */
export async function invokeForAgent(
  model: Invocable,
  messages: BaseMessage[],
  options: AgentCallOptions,
): Promise<AgentReply> {
  const { agent, step } = options;
  let reply: BaseMessage;
  try {
    const config: { metadata: Record<string, unknown>; signal?: AbortSignal } = { metadata: { agent, step } };
    if (options.signal !== undefined) config.signal = options.signal;
    reply = await model.invoke(messages, config);
  } catch (error) {
    throw toModelError(error, agent, step);
  }
  if (!AIMessage.isInstance(reply)) {
    throw new ModelCallError(`model returned a ${reply.type} message, not an AI message`, {
      failure: "invalid_output",
      attempts: 1,
      agent,
      step,
    });
  }
  return recorded(reply, model, options);
}

/** The part of a chat model streaming needs. */
export interface Streamable {
  stream(
    input: BaseMessage[],
    options?: { metadata?: Record<string, unknown>; signal?: AbortSignal },
  ): Promise<AsyncIterable<AIMessageChunk>>;
}

/**
 * Like invokeForAgent, but streams: `onToken` sees the text as it arrives. A failure before the
 * first chunk is retried inside the model; one in the middle of the stream is not (the tokens are
 * already out) and comes back as a ModelError naming the agent and step.
 */
export async function streamForAgent(
  model: Streamable,
  messages: BaseMessage[],
  options: AgentCallOptions & { onToken?: (text: string) => void },
): Promise<AgentReply> {
  const { agent, step } = options;
  let full: AIMessageChunk | undefined;
  // A stream that fails before its first chunk is retried like any other call (nothing has
  // reached the caller yet); once a chunk is out, a failure is final.
  const policy = policyOf(model);
  for (let attempt = 0; ; attempt++) {
    try {
      const config: { metadata: Record<string, unknown>; signal?: AbortSignal } = {
        metadata: { agent, step },
      };
      if (options.signal !== undefined) config.signal = options.signal;
      for await (const chunk of await model.stream(messages, config)) {
        const text = textOf(chunk);
        if (text !== "") options.onToken?.(text);
        full = full === undefined ? chunk : full.concat(chunk);
      }
      break;
    } catch (error) {
      const failure = classifyModelError(error).failure;
      if (full !== undefined || attempt >= policy.maxRetries || !isRetryable(failure)) {
        throw toModelError(error, agent, step);
      }
      await new Promise((r) => setTimeout(r, backoffDelayMs(policy, attempt + 1, retryAfterMsOf(error))));
    }
  }
  if (full === undefined) {
    throw new ModelCallError("model stream ended without a message", {
      failure: "malformed_body",
      attempts: 1,
      agent,
      step,
    });
  }
  return recorded(full, model, options);
}

/**
 * Pulls one JSON value out of a reply: the whole text, a fenced block, or the outermost object or
 * array. Models often wrap JSON in prose or fences even when told not to.
 */
export function extractJson(text: string): unknown {
  const trimmed = text.trim();
  const candidates: string[] = [trimmed];
  const fence = /```(?:json)?\s*([\s\S]*?)```/i.exec(trimmed);
  if (fence?.[1] !== undefined) candidates.push(fence[1].trim());
  for (const [open, close] of [
    ["{", "}"],
    ["[", "]"],
  ] as const) {
    const start = trimmed.indexOf(open);
    const end = trimmed.lastIndexOf(close);
    if (start !== -1 && end > start) candidates.push(trimmed.slice(start, end + 1));
  }
  let lastError: unknown;
  for (const c of candidates) {
    try {
      return JSON.parse(c);
    } catch (error) {
      lastError = error;
    }
  }
  throw new SyntaxError(
    `reply is not JSON (${lastError instanceof Error ? lastError.message : "no JSON value found"})`,
  );
}

function describeProblem(error: unknown): string {
  if (error instanceof SyntaxError) return error.message;
  const issues = (error as z.ZodError).issues ?? [];
  return issues
    .slice(0, 5)
    .map((i) => `${i.path.length ? i.path.join(".") : "(root)"}: ${i.message}`)
    .join("; ");
}

function parseStructured<T>(
  text: string,
  schema: z.ZodType<T>,
): { ok: true; value: T } | { ok: false; problem: string } {
  let raw: unknown;
  try {
    raw = extractJson(text);
  } catch (error) {
    return { ok: false, problem: describeProblem(error) };
  }
  const parsed = schema.safeParse(raw);
  return parsed.success
    ? { ok: true, value: parsed.data }
    : { ok: false, problem: describeProblem(parsed.error) };
}

/** The follow-up sent after an invalid structured reply. */
export function repairPrompt(problem: string): string {
  return (
    `Your previous reply could not be used: ${problem}. ` +
    "Reply again with only the corrected JSON value, no prose and no code fences."
  );
}

export interface StructuredReply<T> extends AgentReply {
  value: T;
  /** 1 when the first reply was valid, 2 when it took the repair round. */
  attempts: number;
}

/**
 * Asks for JSON matching `schema`. An invalid reply gets exactly one repair round with the
 * validation error appended to the conversation; a second invalid reply is a ModelError naming
 * the agent and step.
 */
export async function invokeStructured<T>(
  model: Invocable,
  messages: BaseMessage[],
  schema: z.ZodType<T>,
  options: AgentCallOptions,
): Promise<StructuredReply<T>> {
  const first = await invokeForAgent(model, messages, options);
  const a = parseStructured(first.text, schema);
  if (a.ok) return { ...first, value: a.value, attempts: 1 };
  const repair = [...messages, new AIMessage(first.text), new HumanMessage(repairPrompt(a.problem))];
  const second = await invokeForAgent(model, repair, options);
  const b = parseStructured(second.text, schema);
  if (b.ok) return { ...second, value: b.value, attempts: 2 };
  throw new ModelCallError(`malformed structured output after a repair retry: ${b.problem}`, {
    failure: "invalid_output",
    attempts: 2,
    agent: options.agent,
    step: options.step,
    hint: "the model does not follow the output schema; try a stronger model or a simpler schema",
  });
}
