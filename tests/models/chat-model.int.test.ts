import { type AIMessageChunk, HumanMessage, SystemMessage } from "@langchain/core/messages";
import { tool } from "@langchain/core/tools";
import { afterEach, describe, expect, it } from "vitest";
import { z } from "zod";
import { ModelError } from "../../src/core/index.js";
import {
  type ChatModelOptions,
  createChatModel,
  invokeForAgent,
  invokeStructured,
  ModelCallError,
  type RetryEvent,
  streamForAgent,
  UsageMeter,
} from "../../src/models/index.js";
import { type FaultKind, startTestServer, type TestServer } from "../../src/testing/index.js";

// ChatOpenAI from @langchain/openai, built by createChatModel, against the test server over real
// HTTP: the same path a user's OpenAI-compatible endpoint takes.

let server: TestServer | undefined;
afterEach(async () => {
  await server?.close();
  server = undefined;
});

function modelFor(s: TestServer, options: ChatModelOptions = {}, retries: RetryEvent[] = []) {
  return createChatModel(
    {
      model: "test-model",
      baseURL: s.url,
      apiKey: "k",
      retry: { initialDelayMs: 5, maxDelayMs: 20 },
      ...options,
    },
    { onRetry: (e) => retries.push(e) },
    {},
  );
}

const lookup = tool(async ({ host }: { host: string }) => `${host}: disk full`, {
  name: "lookup_host",
  description: "Reads a host's status",
  schema: z.object({ host: z.string() }),
});

const question = [new HumanMessage("Which host is down?")];

describe("createChatModel against the test server", () => {
  it("gets a plain reply and counts its usage per agent", async () => {
    server = await startTestServer({
      replies: [
        { content: "db-1", usage: { promptTokens: 21, completionTokens: 3 } },
        { content: "restart it", usage: { promptTokens: 30, completionTokens: 4 } },
      ],
    });
    const model = modelFor(server);
    const meter = new UsageMeter();
    const a = await invokeForAgent(model, question, { agent: "triage", step: 1, recorder: meter });
    const b = await invokeForAgent(model, [new HumanMessage("Fix?")], {
      agent: "fixer",
      step: 2,
      recorder: meter,
    });
    expect([a.text, b.text]).toEqual(["db-1", "restart it"]);
    expect(meter.totals).toEqual({
      modelCalls: 2,
      inputTokens: 51,
      outputTokens: 7,
      byAgent: {
        triage: { modelCalls: 1, inputTokens: 21, outputTokens: 3 },
        fixer: { modelCalls: 1, inputTokens: 30, outputTokens: 4 },
      },
    });
    expect(server.requests[0]?.body).toMatchObject({
      model: "test-model",
      messages: [{ role: "user", content: "Which host is down?" }],
    });
    server.assertComplete();
  });

  it("streams a reply with .stream(), usage included", async () => {
    server = await startTestServer({
      streamChunkChars: 4,
      replies: [{ content: "db-1 ran out of disk", usage: { promptTokens: 8, completionTokens: 6 } }],
    });
    const chunks: AIMessageChunk[] = [];
    for await (const c of await modelFor(server).stream(question)) chunks.push(c);
    const full = chunks.reduce((acc, c) => acc.concat(c));
    expect(chunks.filter((c) => typeof c.content === "string" && c.content !== "").length).toBe(5);
    expect(full.content).toBe("db-1 ran out of disk");
    expect(full.usage_metadata).toMatchObject({ input_tokens: 8, output_tokens: 6 });
    expect(server.requests[0]?.body).toMatchObject({ stream: true, stream_options: { include_usage: true } });
  });

  it("runs a tool-call round trip, plain and streamed", async () => {
    server = await startTestServer({
      replies: [
        { toolCalls: [{ name: "lookup_host", args: { host: "db-1" } }] },
        { content: "db-1 has a full disk" },
        { toolCalls: [{ name: "lookup_host", args: { host: "web-2" } }] },
      ],
    });
    const model = modelFor(server).bindTools([lookup]);
    const first = await model.invoke(question);
    expect(first.tool_calls).toMatchObject([{ name: "lookup_host", args: { host: "db-1" }, id: "call_0_0" }]);
    const result = await lookup.invoke(first.tool_calls![0]!);
    const answer = await model.invoke([...question, first, result]);
    expect(answer.content).toBe("db-1 has a full disk");
    const sent = server.requests[1]?.body as { messages: Array<Record<string, unknown>>; tools: unknown[] };
    expect(sent.tools).toHaveLength(1);
    expect(sent.messages.at(-1)).toMatchObject({
      role: "tool",
      tool_call_id: "call_0_0",
      content: "db-1: disk full",
    });

    let streamed: AIMessageChunk | undefined;
    for await (const c of await model.stream(question)) streamed = streamed ? streamed.concat(c) : c;
    expect(streamed?.tool_calls).toMatchObject([{ name: "lookup_host", args: { host: "web-2" } }]);
    server.assertComplete();
  });

  it("streams for an agent: tokens as they arrive, usage recorded, a fault before the stream retried", async () => {
    server = await startTestServer({
      streamChunkChars: 6,
      replies: [
        { fault: "429" },
        { content: "disk is full on db-1", usage: { promptTokens: 9, completionTokens: 5 } },
      ],
    });
    const tokens: string[] = [];
    const meter = new UsageMeter();
    const r = await streamForAgent(modelFor(server), question, {
      agent: "triage",
      step: 2,
      recorder: meter,
      onToken: (t) => tokens.push(t),
    });
    expect(tokens).toEqual(["disk i", "s full", " on db", "-1"]);
    expect(r.text).toBe("disk is full on db-1");
    expect(meter.totals.byAgent).toEqual({ triage: { modelCalls: 1, inputTokens: 9, outputTokens: 5 } });
    expect(server.requests.map((q) => q.outcome)).toEqual(["fault:429", "reply"]);
  });

  it("retries a stream that breaks before its first token, then fails typed", async () => {
    server = await startTestServer({
      replies: Array.from({ length: 10 }, () => ({ fault: "malformed" as const })),
    });
    const error = await streamForAgent(modelFor(server), question, { agent: "triage", step: 3 }).catch(
      (e: unknown) => e,
    );
    expect(error).toBeInstanceOf(ModelCallError);
    expect(error).toMatchObject({ failure: "malformed_body", agent: "triage", step: 3 });
  });

  it("invokes a model with tools bound for an agent", async () => {
    server = await startTestServer({
      replies: [{ toolCalls: [{ name: "lookup_host", args: { host: "db-1" } }] }],
    });
    const meter = new UsageMeter();
    const r = await invokeForAgent(modelFor(server).bindTools([lookup]), question, {
      agent: "triage",
      step: 1,
      recorder: meter,
    });
    expect(r.message.tool_calls).toMatchObject([{ name: "lookup_host", args: { host: "db-1" } }]);
    expect(meter.totals.modelCalls).toBe(1);
    const runtime = {
      calls: [] as unknown[][],
      recordModelCall: (...a: unknown[]) => void runtime.calls.push(a),
    };
    server.enqueue({ content: "ok", usage: { promptTokens: 2, completionTokens: 1 } });
    await invokeForAgent(modelFor(server).bindTools([lookup]), question, {
      agent: "t",
      step: 9,
      recorder: runtime,
    });
    expect(runtime.calls).toEqual([["t", 9, "test-model", 2, 1]]);
  });

  const faults: FaultKind[] = ["429", "500", "502", "503", "malformed", "drop"];
  for (const fault of faults) {
    it(`retries a ${fault} and then succeeds`, async () => {
      server = await startTestServer({ replies: [{ fault }, { fault }, { content: "recovered" }] });
      const retries: RetryEvent[] = [];
      const r = await invokeForAgent(modelFor(server, {}, retries), question, { agent: "a", step: 1 });
      expect(r.text).toBe("recovered");
      expect(server.requests.map((q) => q.outcome)).toEqual([`fault:${fault}`, `fault:${fault}`, "reply"]);
      expect(retries).toHaveLength(2);
      server.assertComplete();
    });
  }

  it("retries a request that timed out", async () => {
    server = await startTestServer({
      replies: [{ delayMs: 3_000, content: "too late" }, { content: "in time" }],
    });
    const retries: RetryEvent[] = [];
    const r = await invokeForAgent(modelFor(server, { timeoutMs: 200 }, retries), question, {
      agent: "a",
      step: 1,
    });
    expect(r.text).toBe("in time");
    expect(retries.map((e) => e.failure)).toEqual(["timeout"]);
  });

  it("fails with a ModelError naming agent and step once the retries are spent", async () => {
    server = await startTestServer({ replies: [{ fault: "500" }, { fault: "drop" }, { fault: "503" }] });
    const error = await invokeForAgent(modelFor(server, { maxRetries: 2 }), question, {
      agent: "planner",
      step: 4,
    }).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(ModelError);
    expect(error).toMatchObject({ agent: "planner", step: 4, failure: "server", attempts: 3, status: 503 });
    expect((error as ModelError).file).toBe(server.url);
    expect((error as ModelError).toLine()).toContain("(agent planner, step 4)");
    expect(server.requests).toHaveLength(3);
  });

  it("honours Retry-After before retrying a 429", async () => {
    server = await startTestServer({ replies: [{ fault: "429", retryAfterS: 1 }, { content: "waited" }] });
    const retries: RetryEvent[] = [];
    const started = performance.now();
    const r = await invokeForAgent(modelFor(server, {}, retries), question, { agent: "a", step: 1 });
    const elapsed = performance.now() - started;
    expect(r.text).toBe("waited");
    expect(retries).toMatchObject([{ failure: "rate_limit", retryAfterMs: 1000 }]);
    expect(retries[0]?.delayMs).toBeGreaterThanOrEqual(1000);
    expect(elapsed).toBeGreaterThanOrEqual(1000);
  });

  it("does not retry a rejected key", async () => {
    server = await startTestServer({ apiKey: "right", replies: [{ content: "unreachable" }] });
    const error = await invokeForAgent(modelFor(server, { apiKey: "wrong" }), question, {
      agent: "a",
      step: 2,
    }).catch((e: unknown) => e);
    expect(error).toMatchObject({ failure: "rejected", status: 401, attempts: 1, agent: "a", step: 2 });
    expect(server.requests).toHaveLength(1);
  });

  it("reports an unreachable endpoint as a connection failure", async () => {
    const gone = await startTestServer();
    const url = gone.url;
    await gone.close();
    const model = createChatModel(
      { model: "m", baseURL: url, maxRetries: 1, retry: { initialDelayMs: 1 } },
      {},
      {},
    );
    const error = await invokeForAgent(model, question, { agent: "a", step: 1 }).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(ModelCallError);
    expect(error).toMatchObject({ failure: "connection", attempts: 2, file: url });
    expect((error as ModelCallError).hint).toContain("OPENAI_BASE_URL");
  });
});

describe("structured output over HTTP", () => {
  const Step = z.object({
    id: z.string(),
    assignee: z.enum(["triage", "fixer"]),
    dependsOn: z.array(z.string()),
  });
  const prompt = [new SystemMessage("Return one plan step as JSON."), new HumanMessage("db-1 is down")];

  it("repairs a malformed reply with one retry carrying the validation error", async () => {
    server = await startTestServer({
      replies: [
        { content: '{"id": "s1", "assignee": "janitor", "dependsOn": []}' },
        { content: '{"id": "s1", "assignee": "fixer", "dependsOn": []}' },
      ],
    });
    const meter = new UsageMeter();
    const r = await invokeStructured(modelFor(server), prompt, Step, {
      agent: "planner",
      step: 1,
      recorder: meter,
    });
    expect(r.value).toEqual({ id: "s1", assignee: "fixer", dependsOn: [] });
    expect(r.attempts).toBe(2);
    const repair = server.requests[1]?.body as { messages: Array<{ role: string; content: string }> };
    expect(repair.messages.map((m) => m.role)).toEqual(["system", "user", "assistant", "user"]);
    expect(repair.messages[3]?.content).toContain("assignee");
    expect(meter.totals.modelCalls).toBe(2);
  });

  it("fails typed after the second malformed reply", async () => {
    server = await startTestServer({
      replies: [{ content: "step one: fix db" }, { content: '{"id": "s1"}' }],
    });
    const error = await invokeStructured(modelFor(server), prompt, Step, { agent: "planner", step: 6 }).catch(
      (e: unknown) => e,
    );
    expect(error).toBeInstanceOf(ModelCallError);
    expect(error).toMatchObject({ failure: "invalid_output", agent: "planner", step: 6 });
    expect(server.requests).toHaveLength(2);
  });
});
