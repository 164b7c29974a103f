import { HumanMessage, SystemMessage } from "@langchain/core/messages";
import { describe, expect, it } from "vitest";
import { createChatModel, invokeForAgent, type RetryEvent, UsageMeter } from "../../src/models/index.js";
import { type ChatRequest, type FaultKind, startTestServer } from "../../src/testing/index.js";

// Issue 7.1: a run of 200 model calls with 20% injected faults ends with the same answers as a
// clean run. Each call's prompt carries the previous answer, so one lost or mixed-up reply would
// change every answer after it.

const CALLS = 200;
const AGENTS = ["planner", "triage", "fixer", "verifier"];
const FAULT_KINDS: FaultKind[] = ["429", "500", "502", "503", "malformed", "drop"];

/** The "model": a pure function of the prompt, so answers do not depend on request order. */
function answer(req: ChatRequest) {
  const last = String(req.messages.at(-1)?.content ?? "");
  const m = /step (\d+): value (\d+)/.exec(last);
  const step = Number(m?.[1] ?? -1);
  const value = Number(m?.[2] ?? -1);
  return { content: `value ${(value * 31 + step * 17 + 7) % 100_003}` };
}

async function run(faultRate: number) {
  const server = await startTestServer({
    defaultReply: answer,
    faultRate,
    seed: 2026,
    faultKinds: FAULT_KINDS,
  });
  const retries: RetryEvent[] = [];
  const model = createChatModel(
    {
      model: "test-model",
      baseURL: server.url,
      retry: { maxRetries: 8, initialDelayMs: 1, maxDelayMs: 8, jitter: 0 },
    },
    { onRetry: (e) => retries.push(e) },
    {},
  );
  const meter = new UsageMeter();
  const answers: string[] = [];
  let value = 1;
  const started = performance.now();
  try {
    for (let step = 0; step < CALLS; step++) {
      const agent = AGENTS[step % AGENTS.length] ?? "planner";
      const reply = await invokeForAgent(
        model,
        [new SystemMessage("Apply the rule to the value."), new HumanMessage(`step ${step}: value ${value}`)],
        { agent, step, recorder: meter },
      );
      answers.push(reply.text);
      value = Number(/value (\d+)/.exec(reply.text)?.[1]);
    }
  } finally {
    await server.close();
  }
  const wallMs = performance.now() - started;
  return { answers, final: value, meter, retries, stats: server.stats, requests: server.requests, wallMs };
}

describe("reliability under injected faults", () => {
  it("completes 200 calls with 20% seeded faults with the same answers as a clean run", async () => {
    const clean = await run(0);
    const faulty = await run(0.2);

    expect(clean.stats.injectedFaults).toBe(0);
    expect(faulty.answers).toHaveLength(CALLS);
    expect(faulty.answers).toEqual(clean.answers);
    expect(faulty.final).toBe(clean.final);
    expect(faulty.meter.totals).toEqual(clean.meter.totals);
    expect(faulty.meter.totals.modelCalls).toBe(CALLS);

    const injected = faulty.stats.injectedFaults;
    const requests = faulty.stats.chatRequests;
    // Every injected fault cost exactly one retry, and nothing else did.
    expect(faulty.retries).toHaveLength(injected);
    expect(requests).toBe(CALLS + injected);
    expect(injected / requests).toBeGreaterThan(0.1);
    expect(injected / requests).toBeLessThan(0.3);
    const kinds = new Set(faulty.requests.filter((r) => r.injected).map((r) => r.outcome));
    expect(kinds.size).toBe(FAULT_KINDS.length);

    console.log(
      `reliability: ${CALLS} calls, ${requests} requests, ${injected} faults injected ` +
        `(${((100 * injected) / requests).toFixed(1)}%: ${JSON.stringify(faulty.stats.faults)}), ` +
        `${faulty.retries.length} retries, answers identical to the clean run; ` +
        `wall ${Math.round(faulty.wallMs)} ms (clean run ${Math.round(clean.wallMs)} ms)`,
    );
  });
});
