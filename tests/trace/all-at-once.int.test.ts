import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { evaluateWhoAndWhen, loadWhoAndWhen } from "../../src/eval/who-and-when/index.js";
import { createChatModel, UsageMeter } from "../../src/models/index.js";
import { startTestServer, type TestServer } from "../../src/testing/index.js";

describe("all-at-once over real HTTP (local OpenAI-compatible test server)", () => {
  let server: TestServer;
  beforeAll(async () => {
    server = await startTestServer();
  });
  afterAll(async () => {
    await server.close();
  });

  it("sends one request per record with the pruned log, repairs one malformed reply, scores the answers", async () => {
    const records = await loadWhoAndWhen("tests/trace/fixtures/who-and-when");
    server.enqueue(
      { content: '{"agent": "Python_Expert", "step": 1}' },
      { content: "the culprit is the math expert" },
      { content: '{"agent": "Math_Expert", "step": 3}' },
      { content: '{"agent": "Orchestrator", "step": 2}' },
    );
    const model = createChatModel({ baseURL: server.url, model: "judge-test", maxRetries: 0 });
    const meter = new UsageMeter();
    const report = await evaluateWhoAndWhen(records, {
      methods: ["all-at-once"],
      withGroundTruth: true,
      model,
      recorder: meter,
    });
    const chats = server.requests.filter((r) => r.path.endsWith("/chat/completions"));
    expect(chats).toHaveLength(4);
    const first = JSON.stringify(chats[0]?.body);
    expect(first).toContain("Correct answer: 4");
    expect(first).toContain("--- step 1 | Python_Expert ---");
    // The repair round carries the validation problem back to the model.
    expect(JSON.stringify(chats[2]?.body)).toContain("could not be used");
    const ag = report.rows.find((r) => r.split === "algorithm-generated" && r.method === "all-at-once");
    expect(ag).toMatchObject({ n: 2, agentAccuracy: 100, stepAccuracy: 100 });
    const hc = report.rows.find((r) => r.split === "hand-crafted" && r.method === "all-at-once");
    expect(hc).toMatchObject({ n: 1, agentAccuracy: 0, stepAccuracy: 0 });
    expect(meter.totals.modelCalls).toBe(4);
  });
});
