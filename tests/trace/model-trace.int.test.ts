import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { traceWithModel } from "../../src/eval/who-and-when/index.js";
import { createChatModel, ModelCallError } from "../../src/models/index.js";
import { startTestServer, type TestServer } from "../../src/testing/index.js";
import { parseWhoAndWhen } from "../../src/trace/index.js";
import { cliAsync as cli } from "../cli/helpers.js";
import { stallHistory } from "./ledger-fixtures.js";

const record = {
  question: "How many lighthouses does the Corvel coast list?",
  history: stallHistory().map(([role, content]) => ({ role, content })),
};
const tmp = mkdtempSync(join(tmpdir(), "quorum-model-trace-"));
const file = join(tmp, "record.json");
writeFileSync(file, JSON.stringify(record));
afterAll(() => rmSync(tmp, { recursive: true, force: true }));

const VERDICT = '{"agent": "WebSurfer", "step": 13, "reason": "clicked the same control again"}';

describe("trace with a model (local OpenAI-compatible test server)", () => {
  let server: TestServer;
  beforeAll(async () => {
    server = await startTestServer();
  });
  afterAll(async () => {
    await server.close();
  });

  it("the model names the root cause; the report keeps the IDG's symptom and chain and counts the call", async () => {
    server.enqueue({ content: VERDICT });
    const model = createChatModel({ baseURL: server.url, model: "judge-test", maxRetries: 0 });
    const before = server.requests.length;
    const { report } = await traceWithModel(model, parseWhoAndWhen(record, "record.json"), {
      modelName: "judge-test",
    });
    const chats = server.requests.slice(before).filter((r) => r.path.endsWith("/chat/completions"));
    expect(chats).toHaveLength(1);
    expect(JSON.stringify(chats[0]?.body)).toContain("--- step 13 | WebSurfer ---");
    expect(report.rootCause).toMatchObject({ agent: "WebSurfer", step: 13, itemId: "s13" });
    expect(report.rootCause?.reasons[0]).toMatchObject({ signal: "model_judgement", weight: 0 });
    expect(report.rootCause?.reasons[0]?.detail).toContain("clicked the same control again");
    expect(report.rootCause?.chain[0]).toBe("s13");
    expect(report.symptom).toMatchObject({ itemId: "s17", kind: "final_step" });
    expect(report.agents[0]?.agent).toBe("WebSurfer");
    expect(report.judgedBy).toMatchObject({ method: "model", model: "judge-test", modelCalls: 1 });
    expect(report.judgedBy?.inputTokens).toBeGreaterThan(0);
    expect(report.judgedBy?.outputTokens).toBeGreaterThan(0);
  });

  it("a step that is no agent turn is a model error, not a made-up answer", async () => {
    server.enqueue({ content: '{"agent": "WebSurfer", "step": 999}' });
    const model = createChatModel({ baseURL: server.url, model: "judge-test", maxRetries: 0 });
    await expect(
      traceWithModel(model, parseWhoAndWhen(record, "record.json"), { modelName: "judge-test" }),
    ).rejects.toBeInstanceOf(ModelCallError);
  });

  it("quorum trace --method model prints the same report with call and token counts", async () => {
    server.enqueue({ content: VERDICT });
    const r = await cli(["trace", file, "--method", "model", "--model", "judge-test", "--format", "json"], {
      OPENAI_BASE_URL: server.url,
    });
    expect(r.code, r.stderr).toBe(0);
    const out = JSON.parse(r.stdout) as {
      report: {
        rootCause: { step: number; agent: string };
        judgedBy: { modelCalls: number; inputTokens: number };
      };
    };
    expect(out.report.rootCause).toMatchObject({ step: 13, agent: "WebSurfer" });
    expect(out.report.judgedBy.modelCalls).toBe(1);
    expect(out.report.judgedBy.inputTokens).toBeGreaterThan(0);
    server.enqueue({ content: VERDICT });
    const text = await cli(["trace", file, "--method", "model", "--model", "judge-test"], {
      OPENAI_BASE_URL: server.url,
    });
    expect(text.stdout).toMatch(/judged by model judge-test: 1 call\(s\), \d+ input \+ \d+ output tokens/);
  });

  it("--method model without --model exits 2 with one line", async () => {
    const r = await cli(["trace", file, "--method", "model"], {});
    expect(r.code).toBe(2);
    expect(r.stderr.trim().split("\n")).toHaveLength(1);
    expect(r.stderr).toContain("--model");
  });
});
