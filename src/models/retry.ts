import { AsyncCaller, type AsyncCallerCallOptions } from "@langchain/core/utils/async_caller";
import { z } from "zod";
import { ModelError, type QuorumErrorOptions } from "../core/index.js";

/** Why a model call failed; decides whether it is worth another attempt. */
export type ModelFailure =
  | "rate_limit"
  | "server"
  | "timeout"
  | "connection"
  | "malformed_body"
  | "rejected"
  | "aborted"
  | "invalid_output"
  | "unknown";

const RETRYABLE: ReadonlySet<ModelFailure> = new Set([
  "rate_limit",
  "server",
  "timeout",
  "connection",
  "malformed_body",
]);

export interface ModelCallErrorOptions extends QuorumErrorOptions {
  failure: ModelFailure;
  attempts: number;
  status?: number;
}

/** A model call that failed for good: what kind of failure, after how many attempts. */
export class ModelCallError extends ModelError {
  readonly failure: ModelFailure;
  readonly attempts: number;
  readonly status: number | undefined;

  constructor(message: string, options: ModelCallErrorOptions) {
    super(message, options);
    this.failure = options.failure;
    this.attempts = options.attempts;
    this.status = options.status;
  }

  /** The same failure, now naming the agent and step it happened in. */
  withContext(agent: string, step: number): ModelCallError {
    const opts: ModelCallErrorOptions = {
      failure: this.failure,
      attempts: this.attempts,
      agent,
      step,
      cause: this.cause,
    };
    if (this.status !== undefined) opts.status = this.status;
    if (this.file !== undefined) opts.file = this.file;
    if (this.hint !== undefined) opts.hint = this.hint;
    return new ModelCallError(this.message, opts);
  }
}

export const RetryPolicySchema = z.object({
  /** Attempts after the first one. */
  maxRetries: z.number().int().min(0).max(20).default(3),
  initialDelayMs: z.number().min(0).default(500),
  maxDelayMs: z.number().min(0).default(8_000),
  factor: z.number().min(1).default(2),
  /** Fraction of each delay added at random, so many clients do not retry in lockstep. */
  jitter: z.number().min(0).max(1).default(0.2),
  /** A Retry-After longer than this fails at once instead of stalling the run. */
  maxRetryAfterMs: z.number().min(0).default(60_000),
});
export type RetryPolicy = z.infer<typeof RetryPolicySchema>;
export type RetryPolicyInput = z.input<typeof RetryPolicySchema>;

export interface RetryEvent {
  /** The attempt that failed, from 1. */
  attempt: number;
  failure: ModelFailure;
  status: number | undefined;
  delayMs: number;
  /** Retry-After the server asked for, if any. */
  retryAfterMs: number | undefined;
  error: unknown;
}

export interface RetryHooks {
  onRetry?: (event: RetryEvent) => void;
  /** Endpoint named in the final error, so the user knows which server failed. */
  endpoint?: string;
  random?: () => number;
}

interface Classified {
  failure: ModelFailure;
  status: number | undefined;
  retryAfterMs: number | undefined;
  detail: string;
}

function field(obj: unknown, key: string): unknown {
  return typeof obj === "object" && obj !== null ? (obj as Record<string, unknown>)[key] : undefined;
}

function headerOf(error: unknown, name: string): string | undefined {
  const headers = field(error, "headers") ?? field(field(error, "response"), "headers");
  if (headers === undefined || headers === null) return undefined;
  if (typeof headers === "object" && typeof (headers as Headers).get === "function") {
    return (headers as Headers).get(name) ?? undefined;
  }
  const v = field(headers, name) ?? field(headers, name.toLowerCase());
  return typeof v === "string" ? v : undefined;
}

/** Retry-After as milliseconds: `retry-after-ms`, then seconds or an HTTP date in `retry-after`. */
export function retryAfterMsOf(error: unknown, now = Date.now()): number | undefined {
  const ms = headerOf(error, "retry-after-ms");
  if (ms !== undefined && ms.trim() !== "" && Number.isFinite(Number(ms))) return Math.max(0, Number(ms));
  const raw = headerOf(error, "retry-after")?.trim();
  if (raw === undefined || raw === "") return undefined;
  const seconds = Number(raw);
  if (Number.isFinite(seconds)) return Math.max(0, seconds * 1000);
  const date = Date.parse(raw);
  return Number.isNaN(date) ? undefined : Math.max(0, date - now);
}

function statusOf(error: unknown): number | undefined {
  const s = field(error, "status") ?? field(error, "statusCode") ?? field(field(error, "response"), "status");
  return typeof s === "number" ? s : undefined;
}

function messageOf(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}

const CONNECTION_CODES = new Set([
  "ECONNRESET",
  "ECONNREFUSED",
  "EPIPE",
  "ENOTFOUND",
  "EAI_AGAIN",
  "ETIMEDOUT",
  "UND_ERR_SOCKET",
  "UND_ERR_CLOSED",
]);

function connectionCode(error: unknown): string | undefined {
  // Errors from fetch nest the socket error one or two causes deep.
  let e: unknown = error;
  for (let i = 0; i < 4 && e !== undefined && e !== null; i++) {
    const code = field(e, "code");
    if (typeof code === "string" && CONNECTION_CODES.has(code)) return code;
    e = field(e, "cause");
  }
  return undefined;
}

/** Sorts a thrown error into a failure kind, reading what the openai client and fetch put on it. */
export function classifyModelError(error: unknown): Classified {
  const name = error instanceof Error ? error.name : "";
  const ctor = error instanceof Error ? error.constructor.name : "";
  const status = statusOf(error);
  const detail = messageOf(error);
  const base = { status, retryAfterMs: undefined, detail };
  if (error instanceof ModelCallError) return { ...base, failure: error.failure };
  if (name === "AbortError" || ctor === "APIUserAbortError") return { ...base, failure: "aborted" };
  if (name === "TimeoutError" || ctor === "APIConnectionTimeoutError") return { ...base, failure: "timeout" };
  if (status === 429) return { ...base, failure: "rate_limit", retryAfterMs: retryAfterMsOf(error) };
  if (status !== undefined && (status >= 500 || status === 408 || status === 409)) {
    return { ...base, failure: "server", retryAfterMs: retryAfterMsOf(error) };
  }
  if (status !== undefined && status >= 400) return { ...base, failure: "rejected" };
  if (error instanceof SyntaxError) return { ...base, failure: "malformed_body" };
  const code = connectionCode(error);
  if (ctor === "APIConnectionError" || code !== undefined) {
    return { ...base, failure: "connection", detail: code ? `${detail} (${code})` : detail };
  }
  return { ...base, failure: "unknown" };
}

export function isRetryable(failure: ModelFailure): boolean {
  return RETRYABLE.has(failure);
}

const HINTS: Partial<Record<ModelFailure, string>> = {
  rate_limit: "the endpoint is rate limiting; lower concurrency or raise the retry limit",
  server: "the model server is failing; check its logs",
  timeout: "raise timeoutMs or check that the model server is up",
  connection: "check that OPENAI_BASE_URL points at a running server",
  malformed_body: "the endpoint did not return valid JSON; is OPENAI_BASE_URL an OpenAI-compatible /v1 URL?",
  rejected: "check OPENAI_API_KEY and QUORUM_MODEL",
};

function sleep(ms: number, signal?: AbortSignal): Promise<void> {
  return new Promise((resolve, reject) => {
    if (signal?.aborted) return reject(signal.reason);
    const onAbort = () => {
      clearTimeout(timer);
      reject(signal?.reason);
    };
    const timer = setTimeout(() => {
      signal?.removeEventListener("abort", onAbort);
      resolve();
    }, ms);
    signal?.addEventListener("abort", onAbort, { once: true });
  });
}

/** Delay before retry number `retry` (from 1), never shorter than what the server asked for. */
export function backoffDelayMs(
  policy: RetryPolicy,
  retry: number,
  retryAfterMs: number | undefined,
  random: () => number = Math.random,
): number {
  const exp = Math.min(policy.maxDelayMs, policy.initialDelayMs * policy.factor ** (retry - 1));
  const jittered = exp * (1 + policy.jitter * random());
  return Math.max(jittered, retryAfterMs ?? 0);
}

/**
 * Runs `fn`, retrying transport failures with exponential backoff that honours Retry-After, and
 * throws a ModelCallError once the failure is not retryable or the retries are spent.
 */
export async function withRetry<T>(
  fn: () => Promise<T>,
  policy: RetryPolicy,
  hooks: RetryHooks & { signal?: AbortSignal | undefined; maxRetries?: number | undefined } = {},
): Promise<T> {
  const maxRetries = hooks.maxRetries ?? policy.maxRetries;
  for (let attempt = 1; ; attempt++) {
    try {
      return await fn();
    } catch (error) {
      if (error instanceof ModelCallError) throw error;
      const c = classifyModelError(error);
      const tooLong = c.retryAfterMs !== undefined && c.retryAfterMs > policy.maxRetryAfterMs;
      if (!isRetryable(c.failure) || attempt > maxRetries || tooLong || hooks.signal?.aborted) {
        const opts: ModelCallErrorOptions = { failure: c.failure, attempts: attempt, cause: error };
        if (c.status !== undefined) opts.status = c.status;
        if (hooks.endpoint !== undefined) opts.file = hooks.endpoint;
        const hint = tooLong
          ? `the server asked to wait ${Math.round((c.retryAfterMs ?? 0) / 1000)}s, more than maxRetryAfterMs`
          : HINTS[c.failure];
        if (hint !== undefined) opts.hint = hint;
        const status = c.status !== undefined ? ` ${c.status}` : "";
        const tries = attempt === 1 ? "" : ` after ${attempt} attempts`;
        throw new ModelCallError(`model call failed${tries} (${c.failure}${status}): ${c.detail}`, opts);
      }
      const delayMs = backoffDelayMs(policy, attempt, c.retryAfterMs, hooks.random);
      hooks.onRetry?.({
        attempt,
        failure: c.failure,
        status: c.status,
        delayMs,
        retryAfterMs: c.retryAfterMs,
        error,
      });
      await sleep(delayMs, hooks.signal);
    }
  }
}

/**
 * An AsyncCaller that applies our retry policy. LangChain's own caller backs off from a fixed one
 * second; installing this one on a chat model makes the backoff configurable and the final error
 * typed, for every path through the model (invoke, stream, bound tools, structured output).
 */
export class PolicyCaller extends AsyncCaller {
  readonly policy: RetryPolicy;
  private readonly hooks: RetryHooks;

  constructor(policy: RetryPolicyInput = {}, hooks: RetryHooks = {}) {
    const parsed = RetryPolicySchema.parse(policy);
    super({ maxRetries: parsed.maxRetries });
    this.policy = parsed;
    this.hooks = hooks;
  }

  // The base class types these with `any`; the overrides must match it to be installable.
  // biome-ignore lint/suspicious/noExplicitAny: mirrors AsyncCaller's signature
  override call<A extends any[], T extends (...args: A) => Promise<any>>(
    callable: T,
    ...args: Parameters<T>
  ): Promise<Awaited<ReturnType<T>>> {
    return this.callWithOptions({}, callable, ...args);
  }

  // biome-ignore lint/suspicious/noExplicitAny: mirrors AsyncCaller's signature
  override callWithOptions<A extends any[], T extends (...args: A) => Promise<any>>(
    options: AsyncCallerCallOptions,
    callable: T,
    ...args: Parameters<T>
  ): Promise<Awaited<ReturnType<T>>> {
    const run = (): Promise<Awaited<ReturnType<T>>> => callable(...(args as A));
    return withRetry(run, this.policy, {
      ...this.hooks,
      signal: options.signal,
      maxRetries: options.maxRetries,
    });
  }
}
