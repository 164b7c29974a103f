// Issue 7.1 (team side): whole model-mode teams through @langchain/openai's ChatOpenAI against the
// test server with injected faults (429 with Retry-After, 5xx, dropped connections, malformed
// bodies) and malformed structured output end with the same final answer, the same tool calls and
// no side effect twice; a model-call budget stops a model-mode run cleanly.
import { readFileSync } from "node:fs";
import { HumanMessage } from "@langchain/core/messages";
import { describe, expect, it } from "vitest";
import {
  PLANNER_PROMPT,
  SPECIALIST_PROMPT,
  SUPERVISOR_PROMPT,
  VERIFIER_PROMPT,
} from "../../src/agents/index.js";
import { InMemoryToolJournal, parseScenario, teamFromScenario, toPlan } from "../../src/graph/index.js";
import { createChatModel, type RetryEvent, streamForAgent } from "../../src/models/index.js";
import {
  type ChatRequest,
  type FaultKind,
  type ReplySpec,
  startTestServer,
} from "../../src/testing/index.js";
import { SEED } from "./helpers.js";

const scenario = parseScenario(
  readFileSync("scenarios/incident-response.yaml", "utf8"),
  "incident-response.yaml",
);
const plan = toPlan(scenario.plan);
const RUNS = 12;
const FAULTS: FaultKind[] = ["429", "500", "502", "503", "drop", "malformed"];

/**
 * Answers as each agent would, from the request alone (so the answer never depends on which
 * attempt got through). With `garbleFirst`, every first structured answer (planner, verifier) is
 * not JSON: each must be fixed by the one repair retry.
 */
function responder(garbleFirst: boolean) {
  return (request: ChatRequest): ReplySpec => {
    const messages = request.messages as Array<{ role: string; content?: unknown }>;
    const system = String(messages[0]?.content ?? "");
    const last = messages[messages.length - 1];
    const human = String(messages[1]?.content ?? "");
    const repairing = messages.length > 2 && last?.role === "user";
    if (system === PLANNER_PROMPT || system === VERIFIER_PROMPT) {
      if (garbleFirst && !repairing) return { content: "Sure! Here is what I think: the plan looks good." };
      if (system === PLANNER_PROMPT) return { content: JSON.stringify(plan) };
      return { content: '{"pass": true, "reasons": ["consistent with the evidence"]}' };
    }
    if (system === SUPERVISOR_PROMPT) {
      // The supervisor restates what the specialists found: the answer depends on every output.
      return { content: `Summary: ${human.split("\n").slice(2).join(" | ")}` };
    }
    if (system === SPECIALIST_PROMPT) {
      if (last?.role === "tool") return { content: `Found: ${String(last.content)}` };
      const suggested = /Suggested tool calls: (.*)$/m.exec(human)?.[1];
      const calls = suggested
        ? (JSON.parse(suggested) as Array<{ tool: string; args: Record<string, unknown> }>)
        : [];
      if (calls.length === 0) return { content: `Concluded from: ${human.split("\n").slice(2).join(" | ")}` };
      return { toolCalls: calls.map((c) => ({ name: c.tool, args: c.args })) };
    }
    throw new Error(`unexpected prompt: ${system.slice(0, 40)}`);
  };
}

async function runTeams(faultRate: number, garbleFirst: boolean) {
  const server = await startTestServer({
    defaultReply: responder(garbleFirst),
    faultRate,
    seed: SEED,
    faultKinds: FAULTS,
    retryAfterS: 0,
  });
  const retries: RetryEvent[] = [];
  const model = createChatModel(
    {
      model: "test-model",
      baseURL: server.url,
      // A hung reply (queued below) must time out and be retried, not stall the run.
      timeoutMs: 1000,
      retry: { maxRetries: 8, initialDelayMs: 1, maxDelayMs: 8, jitter: 0 },
    },
    { onRetry: (e) => retries.push(e) },
    {},
  );
  const results = [];
  const journals: InMemoryToolJournal[] = [];
  try {
    for (let i = 0; i < RUNS; i++) {
      const journal = new InMemoryToolJournal();
      journals.push(journal);
      // In the faulty runs, the first request of each run hangs past the client's timeout.
      if (faultRate > 0) server.enqueue({ delayMs: 5000 });
      const team = teamFromScenario(scenario, { model, journal });
      results.push(await team.run(scenario.task, { threadId: `mf-${faultRate}-${i}` }));
    }
  } finally {
    await server.close();
  }
  return { results, journals, retries, stats: server.stats };
}

describe("model faults on a whole team", () => {
  it(`${RUNS} team runs with 20% injected HTTP faults and malformed structured output match clean runs`, async () => {
    const clean = await runTeams(0, false);
    const faulty = await runTeams(0.2, true);
    const toolCalls = (r: (typeof clean.results)[number]) =>
      r.items
        .filter((i) => i.kind === "tool_call")
        .map((i) => {
          const c = i.content as { tool: string; args: unknown };
          return JSON.stringify([c.tool, c.args]);
        })
        .sort();
    for (let i = 0; i < RUNS; i++) {
      const c = clean.results[i];
      const f = faulty.results[i];
      expect(c?.status, c?.reason ?? "").toBe("finished");
      expect(f?.status, f?.reason ?? "").toBe("finished");
      expect(f?.finalAnswer).toBe(c?.finalAnswer);
      expect(f && toolCalls(f)).toEqual(c && toolCalls(c));
      // Retries happen below the runtime: the side effect ran once per run, as in the clean run.
      expect(faulty.journals[i]?.count("page_team")).toBe(1);
      // Each repaired answer is exactly one more recorded model call than the clean run made.
      const structured =
        (c?.usage.byAgent.planner?.modelCalls ?? 0) + (c?.usage.byAgent.verifier?.modelCalls ?? 0);
      expect(structured).toBeGreaterThan(0);
      expect(f?.usage.modelCalls).toBe((c?.usage.modelCalls ?? 0) + structured);
    }
    expect(clean.results[0]?.finalAnswer).toMatch(/pool exhausted/);
    expect(clean.stats.injectedFaults).toBe(0);
    expect(faulty.stats.injectedFaults).toBeGreaterThan(0);
    // Every injected fault and every hung request was retried (a slow machine may add timeouts).
    expect(faulty.retries.length).toBeGreaterThanOrEqual(faulty.stats.injectedFaults + RUNS);
    expect(faulty.retries.filter((r) => r.failure === "timeout").length).toBeGreaterThanOrEqual(RUNS);
    const kinds = new Set(faulty.retries.map((r) => r.failure));
    expect(kinds.size).toBeGreaterThan(2);
    const calls = faulty.results.reduce((n, r) => n + r.usage.modelCalls, 0);
    process.stderr.write(
      `model faults: ${RUNS} team runs, ${calls} model calls, ${faulty.stats.chatRequests} HTTP requests, ` +
        `${faulty.stats.injectedFaults} injected faults and ${RUNS} hung requests (retried as: ${[...kinds].join(", ")}), ` +
        "all final answers equal to the clean runs\n",
    );
  });

  it("when retries run out, the run fails with a typed error naming the agent and step, before any tool", async () => {
    const server = await startTestServer({
      defaultReply: responder(false),
      faultRate: 1,
      seed: SEED,
      faultKinds: FAULTS,
    });
    try {
      const model = createChatModel(
        {
          model: "test-model",
          baseURL: server.url,
          retry: { maxRetries: 3, initialDelayMs: 1, maxDelayMs: 2, jitter: 0 },
        },
        {},
        {},
      );
      const r = await teamFromScenario(scenario, { model }).run(scenario.task, { threadId: "mf-exhausted" });
      expect(r.status).toBe("failed");
      expect(r.reason).toMatch(/^error\[model\] .*\(agent planner, step 1\)/);
      expect(r.reason).not.toContain("\n");
      // One first attempt and three retries, then it gave up.
      expect(server.stats.chatRequests).toBe(4);
      expect(r.items.filter((i) => i.kind === "tool_call")).toHaveLength(0);
      expect(r.finalAnswer).toBeNull();
    } finally {
      await server.close();
    }
  });

  it("a model-call budget stops a model-mode run cleanly, with the reason", async () => {
    const server = await startTestServer({ defaultReply: responder(false) });
    try {
      const model = createChatModel({ model: "test-model", baseURL: server.url, maxRetries: 0 });
      const tight = { ...scenario, budgets: { ...scenario.budgets, maxModelCalls: 3 } };
      const r = await teamFromScenario(tight, { model }).run(scenario.task, { threadId: "mf-budget" });
      expect(r.status).toBe("stopped");
      expect(r.reason).toBe("model call budget of 3 reached");
      expect(r.finalAnswer).toBeNull();
      // Budgets are checked between turns: the first turn's parallel steps finish, nothing after.
      const stepOutputs = r.items.filter((i) => i.kind === "step_output").length;
      expect(stepOutputs).toBe(3);
      expect(
        r.items.some((i) => i.kind === "tool_call" && (i.content as { tool: string }).tool === "page_team"),
      ).toBe(false);
      expect(server.stats.chatRequests).toBe(r.usage.modelCalls);
    } finally {
      await server.close();
    }
  });

  it("a malformed streamed body before the first token is retried", async () => {
    const server = await startTestServer({ replies: [{ fault: "malformed" }, { content: "all good" }] });
    try {
      const model = createChatModel(
        {
          model: "test-model",
          baseURL: server.url,
          retry: { maxRetries: 3, initialDelayMs: 1, maxDelayMs: 2, jitter: 0 },
        },
        {},
        {},
      );
      const r = await streamForAgent(model, [new HumanMessage("hi")], { agent: "supervisor", step: 1 });
      expect(r.text).toBe("all good");
    } finally {
      await server.close();
    }
  });
});
