import { describe, expect, it } from "vitest";
import {
  backoffDelayMs,
  classifyModelError,
  ModelCallError,
  type RetryEvent,
  RetryPolicySchema,
  retryAfterMsOf,
  withRetry,
} from "../../src/models/index.js";

function httpError(status: number, headers: Record<string, string> = {}): Error {
  return Object.assign(new Error(`${status} from server`), { status, headers: new Headers(headers) });
}

function connectionError(code: string): Error {
  const inner = Object.assign(new Error("other side closed"), { code });
  const fetchError = new TypeError("fetch failed", { cause: inner });
  return new Error("Connection error.", { cause: fetchError });
}

const fast = RetryPolicySchema.parse({ maxRetries: 3, initialDelayMs: 0, jitter: 0 });

describe("classifyModelError", () => {
  it("sorts transport failures into retryable kinds", () => {
    expect(classifyModelError(httpError(429, { "retry-after": "2" }))).toMatchObject({
      failure: "rate_limit",
      status: 429,
      retryAfterMs: 2000,
    });
    expect(classifyModelError(httpError(503)).failure).toBe("server");
    expect(classifyModelError(httpError(500)).failure).toBe("server");
    expect(classifyModelError(new SyntaxError("Unexpected end of JSON input")).failure).toBe(
      "malformed_body",
    );
    expect(classifyModelError(connectionError("ECONNRESET"))).toMatchObject({ failure: "connection" });
    expect(
      classifyModelError(Object.assign(new Error("Request timed out."), { name: "TimeoutError" })).failure,
    ).toBe("timeout");
  });

  it("does not mistake the caller's own mistakes or aborts for transient faults", () => {
    expect(classifyModelError(httpError(401)).failure).toBe("rejected");
    expect(classifyModelError(httpError(400)).failure).toBe("rejected");
    expect(classifyModelError(Object.assign(new Error("aborted"), { name: "AbortError" })).failure).toBe(
      "aborted",
    );
    expect(classifyModelError(new Error("a bug")).failure).toBe("unknown");
  });
});

describe("retryAfterMsOf", () => {
  it("reads seconds, milliseconds and HTTP dates", () => {
    expect(retryAfterMsOf(httpError(429, { "retry-after": "1.5" }))).toBe(1500);
    expect(retryAfterMsOf(httpError(429, { "retry-after-ms": "250", "retry-after": "9" }))).toBe(250);
    const now = Date.parse("2026-01-01T00:00:00Z");
    expect(retryAfterMsOf(httpError(429, { "retry-after": "Thu, 01 Jan 2026 00:00:03 GMT" }), now)).toBe(
      3000,
    );
    expect(retryAfterMsOf(httpError(429))).toBeUndefined();
    expect(retryAfterMsOf({ headers: { "retry-after": "4" } })).toBe(4000);
  });
});

describe("backoffDelayMs", () => {
  const p = RetryPolicySchema.parse({ initialDelayMs: 100, maxDelayMs: 1000, factor: 2, jitter: 0.5 });
  it("grows exponentially up to the cap, with bounded jitter", () => {
    expect([1, 2, 3, 4, 5].map((n) => backoffDelayMs(p, n, undefined, () => 0))).toEqual([
      100, 200, 400, 800, 1000,
    ]);
    expect(backoffDelayMs(p, 2, undefined, () => 1)).toBe(300);
  });
  it("never waits less than the server asked", () => {
    expect(backoffDelayMs(p, 1, 2500, () => 0)).toBe(2500);
  });
});

describe("withRetry", () => {
  it("retries transient failures and returns the first success", async () => {
    const errors = [httpError(500), connectionError("ECONNRESET"), new SyntaxError("bad json")];
    const seen: RetryEvent[] = [];
    let calls = 0;
    const value = await withRetry(
      async () => {
        calls += 1;
        const e = errors.shift();
        if (e) throw e;
        return "ok";
      },
      fast,
      { onRetry: (e) => seen.push(e) },
    );
    expect(value).toBe("ok");
    expect(calls).toBe(4);
    expect(seen.map((e) => [e.attempt, e.failure])).toEqual([
      [1, "server"],
      [2, "connection"],
      [3, "malformed_body"],
    ]);
  });

  it("stops at the limit with a typed error saying how many attempts it made", async () => {
    let calls = 0;
    const error = await withRetry(
      async () => {
        calls += 1;
        throw httpError(503);
      },
      fast,
      { endpoint: "http://127.0.0.1:1/v1" },
    ).catch((e: unknown) => e);
    expect(calls).toBe(4);
    expect(error).toBeInstanceOf(ModelCallError);
    expect(error).toMatchObject({
      failure: "server",
      attempts: 4,
      status: 503,
      file: "http://127.0.0.1:1/v1",
    });
    expect((error as Error).message).toContain("after 4 attempts");
  });

  it("does not retry a rejected request", async () => {
    let calls = 0;
    const error = await withRetry(async () => {
      calls += 1;
      throw httpError(401);
    }, fast).catch((e: unknown) => e);
    expect(calls).toBe(1);
    expect(error).toMatchObject({ failure: "rejected", attempts: 1 });
    expect((error as ModelCallError).hint).toContain("OPENAI_API_KEY");
  });

  it("gives up at once when Retry-After is longer than the policy allows", async () => {
    let calls = 0;
    const policy = RetryPolicySchema.parse({ ...fast, maxRetryAfterMs: 5_000 });
    const error = await withRetry(async () => {
      calls += 1;
      throw httpError(429, { "retry-after": "3600" });
    }, policy).catch((e: unknown) => e);
    expect(calls).toBe(1);
    expect((error as ModelCallError).hint).toContain("3600s");
  });
});
