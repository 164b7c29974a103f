import type { BaseChatModel } from "@langchain/core/language_models/chat_models";
import { ChatOpenAI, ChatOpenAICompletions, ChatOpenAIResponses } from "@langchain/openai";
import { z } from "zod";
import { fromZodError, UserInputError } from "../core/index.js";
import { PolicyCaller, type RetryHooks, RetryPolicySchema } from "./retry.js";

/** Local OpenAI-compatible servers ignore the key, but the openai client refuses to start without one. */
const PLACEHOLDER_KEY = "not-needed";

const HttpUrl = z.url({
  protocol: /^https?$/,
  error: "must be an http(s) URL, e.g. http://127.0.0.1:8080/v1",
});

export const ChatModelOptionsSchema = z
  .object({
    model: z.string().min(1).optional(),
    baseURL: HttpUrl.optional(),
    apiKey: z.string().min(1).optional(),
    /** Per HTTP request, in milliseconds. */
    timeoutMs: z.number().int().positive().optional(),
    /** Retries after the first attempt for 429, 5xx, timeouts, dropped connections and malformed bodies. */
    maxRetries: z.number().int().min(0).max(20).optional(),
    temperature: z.number().min(0).max(2).optional(),
    /** Backoff shape; maxRetries above wins over retry.maxRetries. */
    retry: RetryPolicySchema.partial().optional(),
  })
  .strict();
export type ChatModelOptions = z.input<typeof ChatModelOptionsSchema>;

/** What createChatModel needs, after env and options are merged and checked. */
export interface ModelConfig {
  model: string;
  baseURL: string | undefined;
  apiKey: string | undefined;
  timeoutMs: number | undefined;
  maxRetries: number | undefined;
}

const EnvSchema = z.object({
  QUORUM_MODEL: z.string().trim().min(1).optional(),
  OPENAI_BASE_URL: HttpUrl.optional(),
  OPENAI_API_KEY: z.string().min(1).optional(),
  QUORUM_MODEL_TIMEOUT_MS: z.coerce.number().int().positive().optional(),
  QUORUM_MODEL_MAX_RETRIES: z.coerce.number().int().min(0).max(20).optional(),
});

function blankToUndefined(env: NodeJS.ProcessEnv): Record<string, string | undefined> {
  const keys = Object.keys(EnvSchema.shape);
  return Object.fromEntries(keys.map((k) => [k, env[k]?.trim() ? env[k] : undefined]));
}

type EnvKey = keyof typeof EnvSchema.shape;

/** One variable, checked only when it is actually used: a bad value elsewhere in the env is not our business. */
function envValue<K extends EnvKey>(env: NodeJS.ProcessEnv, key: K): z.infer<(typeof EnvSchema.shape)[K]> {
  const raw = env[key]?.trim() ? env[key] : undefined;
  const parsed = EnvSchema.shape[key].safeParse(raw);
  if (!parsed.success) {
    throw fromZodError(parsed.error, {
      file: "environment",
      fieldPrefix: key,
      hint: "fix or unset the variable",
    });
  }
  return parsed.data as z.infer<(typeof EnvSchema.shape)[K]>;
}

/**
 * The model configured in the environment, or null when none is, so callers can fall back to
 * deterministic mode. An API key alone does not count: a key in a shell should not silently turn
 * a deterministic run into a hosted one.
 */
export function modelConfigFromEnv(env: NodeJS.ProcessEnv = process.env): ModelConfig | null {
  const parsed = EnvSchema.safeParse(blankToUndefined(env));
  if (!parsed.success) {
    throw fromZodError(parsed.error, { file: "environment", hint: "fix or unset the variable" });
  }
  const e = parsed.data;
  if (e.QUORUM_MODEL === undefined && e.OPENAI_BASE_URL === undefined) return null;
  if (e.QUORUM_MODEL === undefined) {
    throw new UserInputError("OPENAI_BASE_URL is set but no model name is", {
      file: "environment",
      field: "QUORUM_MODEL",
      hint: "set QUORUM_MODEL to the model the server serves",
    });
  }
  return {
    model: e.QUORUM_MODEL,
    baseURL: e.OPENAI_BASE_URL,
    apiKey: e.OPENAI_API_KEY,
    timeoutMs: e.QUORUM_MODEL_TIMEOUT_MS,
    maxRetries: e.QUORUM_MODEL_MAX_RETRIES,
  };
}

/**
 * A ChatOpenAI for any OpenAI-compatible endpoint, from options over the environment. Retries go
 * through our PolicyCaller (configurable backoff, Retry-After honoured, typed final error).
 */
export function createChatModel(
  options: ChatModelOptions = {},
  hooks: RetryHooks = {},
  env: NodeJS.ProcessEnv = process.env,
): ChatOpenAI {
  const parsed = ChatModelOptionsSchema.safeParse(options);
  if (!parsed.success) throw fromZodError(parsed.error, { file: "model options" });
  const o = parsed.data;
  const model = o.model ?? envValue(env, "QUORUM_MODEL");
  const baseURL = o.baseURL ?? envValue(env, "OPENAI_BASE_URL");
  if (model === undefined) {
    throw new UserInputError(
      baseURL !== undefined ? "OPENAI_BASE_URL is set but no model name is" : "no model is configured",
      {
        file: "environment",
        field: "QUORUM_MODEL",
        hint: "set QUORUM_MODEL (and OPENAI_BASE_URL for a local server), or run without a model",
      },
    );
  }
  const apiKey =
    o.apiKey ?? envValue(env, "OPENAI_API_KEY") ?? (baseURL !== undefined ? PLACEHOLDER_KEY : undefined);
  if (apiKey === undefined) {
    throw new UserInputError("no API key for the hosted OpenAI endpoint", {
      file: "environment",
      field: "OPENAI_API_KEY",
      hint: "set OPENAI_API_KEY, or OPENAI_BASE_URL for a local OpenAI-compatible server",
    });
  }
  const maxRetries = o.maxRetries ?? o.retry?.maxRetries ?? envValue(env, "QUORUM_MODEL_MAX_RETRIES");
  const policy = { ...o.retry, ...(maxRetries !== undefined ? { maxRetries } : {}) };
  const endpoint = baseURL ?? "https://api.openai.com/v1";
  const caller = new PolicyCaller(policy, { endpoint, ...hooks });
  const fields = {
    model,
    apiKey,
    timeout: o.timeoutMs ?? envValue(env, "QUORUM_MODEL_TIMEOUT_MS") ?? 60_000,
    // Retrying happens in our caller; LangChain's own retry would multiply the attempts.
    maxRetries: 0,
    ...(o.temperature !== undefined ? { temperature: o.temperature } : {}),
    ...(baseURL !== undefined ? { configuration: { baseURL } } : {}),
  };
  const completions = new ChatOpenAICompletions(fields);
  const responses = new ChatOpenAIResponses(fields);
  completions.caller = caller;
  responses.caller = caller;
  const chat = new ChatOpenAI({ ...fields, completions, responses });
  chat.caller = caller;
  return chat;
}

/** Anything LangChain calls a chat model; checked by shape so two copies of @langchain/core still match. */
export function isChatModel(value: unknown): value is BaseChatModel {
  if (typeof value !== "object" || value === null) return false;
  const v = value as Record<string, unknown>;
  return typeof v["invoke"] === "function" && typeof v["_generate"] === "function";
}

/** A chat model passed in as is, or one built from options (or the environment when nothing is given). */
export function resolveModel(modelOrOptions?: BaseChatModel | ChatModelOptions): BaseChatModel {
  if (isChatModel(modelOrOptions)) return modelOrOptions;
  return createChatModel(modelOrOptions ?? {});
}

/** The model's name as recorded in model_call events. */
export function modelNameOf(model: unknown): string {
  if (typeof model !== "object" || model === null) return "unknown";
  const m = model as { model?: unknown; modelName?: unknown; bound?: unknown; _llmType?: () => string };
  if (typeof m.model === "string" && m.model) return m.model;
  if (typeof m.modelName === "string" && m.modelName) return m.modelName;
  // A model with tools bound is a RunnableBinding around the model.
  if (m.bound !== undefined) return modelNameOf(m.bound);
  if (typeof m._llmType === "function") return m._llmType();
  return "unknown";
}
