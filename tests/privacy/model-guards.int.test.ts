// Model mode over real HTTP: the guards talk to the local OpenAI-compatible test server through
// the same client a user's endpoint would get.
import { afterEach, describe, expect, it } from "vitest";
import { CoDefGuard, TomGuard } from "../../src/guards/privacy/index.js";
import { createChatModel } from "../../src/models/factory.js";
import { startTestServer, type TestServer } from "../../src/testing/index.js";
import { POLICY, World } from "./world.js";

let server: TestServer | undefined;
afterEach(async () => {
  await server?.close();
  server = undefined;
});

async function modelFor(replies: Parameters<TestServer["enqueue"]>) {
  server = await startTestServer();
  server.enqueue(...replies);
  return createChatModel(
    { baseURL: server.url, model: "guard-model", apiKey: "test", maxRetries: 0 },
    {},
    {},
  );
}

describe("privacy guards against the test server", () => {
  it("ToM: scripted No then Yes; the published prompt structure goes over the wire", async () => {
    const model = await modelFor([
      {
        content: "Likely Inference: a rota\nAdversarial Intent: No\nSuspected Goal: scheduling",
        usage: { promptTokens: 50, completionTokens: 10 },
      },
      { content: "Likely Inference: who takes what\nAdversarial Intent: Yes\nSuspected Goal: profile staff" },
    ]);
    const w = new World([new TomGuard({ policy: POLICY, model })]);
    expect((await w.ask("Bea", { table: "rota" })).decision).toBe("allow");
    expect((await w.ask("Bea", { table: "meds" })).decision).toBe("block");
    expect(server?.requests.length).toBe(2);
    const body = JSON.stringify(server?.requests[1]?.body);
    expect(body).toMatch(/Adversarial Intent: <Yes or No>/);
    expect(body).toMatch(/Tables of the combination this answer would add: Bea\/meds/);
    const calls = w.runtime.log.events({ type: "model_call" });
    expect(calls[0]).toMatchObject({ model: "guard-model", inputTokens: 50, outputTokens: 10 });
  });

  it("ToM: a malformed verdict and a malformed HTTP body both block, fail closed", async () => {
    const model = await modelFor([{ content: "Adversarial Intent: No" }, { fault: "malformed" }]);
    const w = new World([new TomGuard({ policy: POLICY, model })]);
    expect((await w.ask("Bea", { table: "rota" })).decision).toBe("block");
    expect((await w.ask("Cal", { table: "rooms" })).decision).toBe("block");
    const reasons = w.runtime.log
      .items({ kind: "verdict" })
      .filter((v) => v.labels.includes("fail-closed"))
      .map((v) => (v.content as { rationale: string }).rationale);
    expect(reasons).toHaveLength(2);
    expect(reasons[0]).toMatch(/malformed reply/);
    expect(reasons[1]).toMatch(/failed/);
  });

  it("CoDef: three voters over HTTP; a C gives the vague answer", async () => {
    const model = await modelFor([
      { content: "Vote: A" },
      { content: "Vote: C\nReason: counts are enough" },
      { content: "Vote: A" },
    ]);
    const w = new World([new CoDefGuard({ policy: POLICY, voters: ["Bea", "Cal", "Dov"], model })]);
    const r = await w.ask("Bea", { table: "meds" });
    expect(r.decision).toBe("vague");
    expect(r.reply?.content).toMatchObject({
      kind: "aggregate",
      tables: [{ owner: "Bea", table: "meds", rowCount: 3 }],
    });
    expect(server?.requests.length).toBe(3);
  });
});
