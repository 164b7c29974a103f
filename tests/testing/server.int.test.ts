import OpenAI from "openai";
import { afterEach, describe, expect, it } from "vitest";
import { startTestServer, type TestServer } from "../../src/testing/index.js";

// These tests talk to the server with the real `openai` client over real HTTP, so they check the
// wire format against the client users will point at it, not against our own reading of the spec.

let server: TestServer | undefined;
afterEach(async () => {
  await server?.close();
  server = undefined;
});

function client(s: TestServer, maxRetries = 0, apiKey = "test-key"): OpenAI {
  return new OpenAI({ baseURL: s.url, apiKey, maxRetries });
}

const ask = { model: "test-model", messages: [{ role: "user" as const, content: "Which host is down?" }] };

describe("test server", () => {
  it("answers a plain completion with usage and records the request", async () => {
    server = await startTestServer({
      replies: [{ content: "db-1", usage: { promptTokens: 12, completionTokens: 2 } }],
    });
    expect(server.url).toMatch(/^http:\/\/127\.0\.0\.1:\d+\/v1$/);
    const r = await client(server).chat.completions.create(ask);
    expect(r.choices[0]?.message.content).toBe("db-1");
    expect(r.choices[0]?.finish_reason).toBe("stop");
    expect(r.usage).toEqual({ prompt_tokens: 12, completion_tokens: 2, total_tokens: 14 });
    expect(server.requests).toHaveLength(1);
    expect(server.requests[0]).toMatchObject({
      method: "POST",
      path: "/v1/chat/completions",
      outcome: "reply",
    });
    expect(server.requests[0]?.body).toMatchObject(ask);
    expect(server.requests[0]?.headers["authorization"]).toBe("Bearer test-key");
    server.assertComplete();
  });

  it("returns tool calls", async () => {
    server = await startTestServer({
      replies: [
        {
          toolCalls: [{ name: "lookup_host", args: { host: "db-1" } }],
          usage: { inputTokens: 4, outputTokens: 3 },
        },
      ],
    });
    const r = await client(server).chat.completions.create(ask);
    const m = r.choices[0]?.message;
    expect(r.choices[0]?.finish_reason).toBe("tool_calls");
    expect(m?.content).toBeNull();
    expect(m?.tool_calls).toEqual([
      { id: "call_0_0", type: "function", function: { name: "lookup_host", arguments: '{"host":"db-1"}' } },
    ]);
    expect(r.usage).toEqual({ prompt_tokens: 4, completion_tokens: 3, total_tokens: 7 });
  });

  it("streams content and tool-call deltas as SSE, with a final usage chunk when asked", async () => {
    server = await startTestServer({
      streamChunkChars: 5,
      replies: [
        {
          content: "Checking the database host now.",
          toolCalls: [{ name: "lookup_host", args: { host: "db-1", deep: true } }],
          usage: { promptTokens: 9, completionTokens: 17 },
        },
      ],
    });
    const stream = await client(server).chat.completions.create({
      ...ask,
      stream: true,
      stream_options: { include_usage: true },
    });
    let text = "";
    let args = "";
    let name = "";
    let deltas = 0;
    let finish: string | null = null;
    let usage: unknown;
    for await (const chunk of stream) {
      const choice = chunk.choices[0];
      if (chunk.usage) usage = chunk.usage;
      if (!choice) continue;
      if (choice.delta.content) {
        text += choice.delta.content;
        deltas += 1;
      }
      for (const t of choice.delta.tool_calls ?? []) {
        name += t.function?.name ?? "";
        args += t.function?.arguments ?? "";
      }
      finish = choice.finish_reason ?? finish;
    }
    expect(text).toBe("Checking the database host now.");
    expect(deltas).toBe(7);
    expect(name).toBe("lookup_host");
    expect(JSON.parse(args)).toEqual({ host: "db-1", deep: true });
    expect(finish).toBe("tool_calls");
    expect(usage).toEqual({ prompt_tokens: 9, completion_tokens: 17, total_tokens: 26 });
    expect(server.requests[0]?.stream).toBe(true);
  });

  it("lists models", async () => {
    server = await startTestServer({ models: ["alpha", "beta"] });
    const page = await client(server).models.list();
    expect(page.data.map((m) => m.id)).toEqual(["alpha", "beta"]);
  });

  it("serves the default reply, or a reply computed from the request, once the queue is empty", async () => {
    server = await startTestServer({
      replies: [{ content: "scripted" }],
      defaultReply: (req) => ({ content: `echo: ${String(req.messages.at(-1)?.content)}` }),
    });
    const c = client(server);
    expect((await c.chat.completions.create(ask)).choices[0]?.message.content).toBe("scripted");
    expect((await c.chat.completions.create(ask)).choices[0]?.message.content).toBe(
      "echo: Which host is down?",
    );
    expect(server.requests.map((r) => r.outcome)).toEqual(["reply", "default"]);
  });

  it("answers an unexpected request with a 400 and fails assertComplete", async () => {
    server = await startTestServer();
    const error = await client(server)
      .chat.completions.create(ask)
      .catch((e: unknown) => e);
    expect(error).toBeInstanceOf(OpenAI.BadRequestError);
    expect((error as Error).message).toContain("no reply queued");
    expect(() => server?.assertComplete()).toThrow(/1 requests found no reply queued/);
  });

  it("fails assertComplete when scripted replies were never requested", async () => {
    server = await startTestServer({ replies: [{ content: "never asked" }] });
    expect(server.pending).toBe(1);
    expect(() => server?.assertComplete()).toThrow(/1 scripted entries were never requested/);
  });

  it("checks the API key when given one, and validates the request body", async () => {
    server = await startTestServer({ apiKey: "right", replies: [{ content: "ok" }] });
    await expect(client(server, 0, "wrong").chat.completions.create(ask)).rejects.toBeInstanceOf(
      OpenAI.AuthenticationError,
    );
    const res = await fetch(`${server.url}/chat/completions`, {
      method: "POST",
      headers: { authorization: "Bearer right", "content-type": "application/json" },
      body: JSON.stringify({ model: "m", messages: [] }),
    });
    expect(res.status).toBe(400);
    expect(((await res.json()) as { error: { message: string } }).error.message).toContain("messages");
    expect(server.requests.map((r) => r.outcome)).toEqual(["unauthorized", "invalid"]);
  });

  it("injects each scripted fault as the client sees it", async () => {
    server = await startTestServer({
      replies: [
        { fault: "429", retryAfterS: 3 },
        { fault: "500" },
        { fault: "503", retryAfterS: 1 },
        { fault: "malformed" },
        { fault: "drop" },
        { content: "finally" },
      ],
    });
    const c = client(server);
    const outcomes: string[] = [];
    for (let i = 0; i < 5; i++) {
      const e = await c.chat.completions.create(ask).catch((err: unknown) => err);
      outcomes.push(`${(e as Error).constructor.name}:${(e as { status?: number }).status ?? "-"}`);
    }
    expect(outcomes).toEqual([
      "RateLimitError:429",
      "InternalServerError:500",
      "InternalServerError:503",
      "SyntaxError:-",
      "APIConnectionError:-",
    ]);
    expect((await c.chat.completions.create(ask)).choices[0]?.message.content).toBe("finally");
    expect(server.stats.faults).toMatchObject({ "429": 1, "500": 1, "503": 1, malformed: 1, drop: 1 });
  });

  it("sends Retry-After on 429, which the openai client honours before retrying", async () => {
    server = await startTestServer({ replies: [{ fault: "429", retryAfterS: 1 }] });
    const res = await fetch(`${server.url}/chat/completions`, { method: "POST", body: JSON.stringify(ask) });
    expect(res.status).toBe(429);
    expect(res.headers.get("retry-after")).toBe("1");
    server.enqueue({ fault: "429", retryAfterS: 1 }, { content: "after the wait" });
    const started = performance.now();
    const r = await client(server, 1).chat.completions.create(ask);
    const waited = performance.now() - started;
    expect(r.choices[0]?.message.content).toBe("after the wait");
    expect(waited).toBeGreaterThanOrEqual(1000);
  });

  it("holds a request for a scripted delay, then serves the next entry to it", async () => {
    server = await startTestServer({ replies: [{ delayMs: 50 }, { content: "late" }, { content: "next" }] });
    const c = client(server);
    expect((await c.chat.completions.create(ask)).choices[0]?.message.content).toBe("late");
    expect((await c.chat.completions.create(ask)).choices[0]?.message.content).toBe("next");
    server.assertComplete();
  });

  it("injects seeded random faults reproducibly, without consuming scripted replies", async () => {
    const pattern = async () => {
      const s = await startTestServer({ faultRate: 0.3, seed: 42, defaultReply: { content: "ok" } });
      const outcomes: string[] = [];
      for (let i = 0; i < 40; i++) {
        const res = await fetch(`${s.url}/chat/completions`, {
          method: "POST",
          body: JSON.stringify(ask),
        }).catch(() => undefined);
        await res?.text().catch(() => undefined);
        outcomes.push(s.requests[i]?.outcome ?? "?");
      }
      const injected = s.stats.injectedFaults;
      await s.close();
      return { outcomes, injected };
    };
    const a = await pattern();
    const b = await pattern();
    expect(a.outcomes).toEqual(b.outcomes);
    expect(a.injected).toBeGreaterThan(0);
    expect(a.injected).toBeLessThan(40);
    expect(a.outcomes.filter((o) => o.startsWith("fault:"))).toHaveLength(a.injected);
  });
});
