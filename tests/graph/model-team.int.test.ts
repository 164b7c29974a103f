import { readFileSync } from "node:fs";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import {
  PLANNER_PROMPT,
  SPECIALIST_PROMPT,
  SUPERVISOR_PROMPT,
  VERIFIER_PROMPT,
} from "../../src/agents/index.js";
import { InMemoryToolJournal, parseScenario, teamFromScenario, toPlan } from "../../src/graph/index.js";
import { createChatModel } from "../../src/models/index.js";
import {
  type ChatRequest,
  type ReplySpec,
  startTestServer,
  type TestServer,
} from "../../src/testing/index.js";

const scenario = parseScenario(
  readFileSync("scenarios/incident-response.yaml", "utf8"),
  "incident-response.yaml",
);
const plan = toPlan(scenario.plan);
const FINAL = "Checkout 4.12.0 exhausts the payments-db pool; team-checkout paged; roll back to 4.11.x.";

/** Answers as each agent would, by reading the request the real client sent. */
function respond(request: ChatRequest): ReplySpec {
  const messages = request.messages as Array<{ role: string; content?: unknown; tool_calls?: unknown[] }>;
  const system = String(messages[0]?.content ?? "");
  const last = messages[messages.length - 1];
  if (system === PLANNER_PROMPT) return { content: JSON.stringify(plan) };
  if (system === VERIFIER_PROMPT)
    return { content: '{"pass": true, "reasons": ["consistent with the evidence"]}' };
  if (system === SUPERVISOR_PROMPT) return { content: FINAL };
  if (system === SPECIALIST_PROMPT) {
    if (last?.role === "tool") return { content: `Found: ${String(last.content)}` };
    const human = String(last?.content ?? "");
    const suggested = /Suggested tool calls: (.*)$/m.exec(human)?.[1];
    const calls = suggested
      ? (JSON.parse(suggested) as Array<{ tool: string; args: Record<string, unknown> }>)
      : [];
    if (calls.length === 0) return { content: "The 4.12.0 retry change exhausted the payments-db pool." };
    return { toolCalls: calls.map((c) => ({ name: c.tool, args: c.args })) };
  }
  throw new Error(`unexpected prompt: ${system.slice(0, 40)}`);
}

let server: TestServer;
beforeAll(async () => {
  server = await startTestServer({ defaultReply: (r) => respond(r) });
});
afterAll(async () => {
  await server.close();
});

describe("a whole team on a real HTTP model client", () => {
  it("plans, calls tools, verifies and streams the final answer through @langchain/openai", async () => {
    const journal = new InMemoryToolJournal();
    const model = createChatModel({ model: "test-model", baseURL: server.url, maxRetries: 2 });
    const tokens: string[] = [];
    const team = teamFromScenario(scenario, { model, journal, onToken: (t) => tokens.push(t) });
    const r = await team.run(scenario.task, { threadId: "model-1" });

    expect(r.status).toBe("finished");
    expect(r.finalAnswer).toBe(FINAL);
    // the final answer arrived as a stream of several chunks
    expect(tokens.length).toBeGreaterThan(1);
    expect(tokens.join("")).toBe(FINAL);
    const streamed = server.requests.filter((q) => q.stream);
    expect(streamed).toHaveLength(1);

    // every tool call went through the runtime; the side effect happened once
    const toolCalls = r.items
      .filter((i) => i.kind === "tool_call")
      .map((i) => (i.content as { tool: string }).tool);
    expect(toolCalls.sort()).toEqual(["list_deploys", "page_team", "query_metrics", "search_logs"]);
    expect(journal.count("page_team")).toBe(1);
    // a specialist's output is derived from the tool result it got back over HTTP
    const logsOut = r.items.find((i) => i.kind === "step_output" && i.labels.includes("plan-step:logs"));
    const logsResult = r.items.find((i) => i.kind === "tool_result" && i.author === "tool:search_logs");
    expect(logsOut?.derivedFrom).toContain(logsResult?.id);
    expect(String(logsOut?.content)).toContain("pool exhausted");

    // accounting: every HTTP chat request is one recorded model call, attributed to its agent
    const chats = server.requests.filter((q) => q.path.endsWith("/chat/completions"));
    expect(r.usage.modelCalls).toBe(chats.length);
    expect(r.usage.byAgent.planner?.modelCalls).toBe(1);
    expect(r.usage.byAgent.logs?.modelCalls).toBe(2);
    expect(r.usage.byAgent.supervisor?.modelCalls).toBe(1);
    expect(r.usage.inputTokens).toBeGreaterThan(0);
  });

  it("ends a run whose planner answers garbage twice as failed, naming the agent and step", async () => {
    const bad = await startTestServer({ defaultReply: { content: "I would rather not plan today." } });
    try {
      const model = createChatModel({ model: "test-model", baseURL: bad.url, maxRetries: 0 });
      const r = await teamFromScenario(scenario, { model }).run(scenario.task, { threadId: "model-2" });
      expect(r.status).toBe("failed");
      expect(r.reason).toMatch(/error\[model\].*malformed structured output.*\(agent planner, step 1\)/);
      expect(bad.requests.filter((q) => q.path.endsWith("/chat/completions"))).toHaveLength(2);
      expect(r.items.filter((i) => i.kind === "tool_call")).toHaveLength(0);
    } finally {
      await bad.close();
    }
  });
});
