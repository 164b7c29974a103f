import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { startTestServer } from "../../src/testing/index.js";
import { cliAsync } from "./helpers.js";

const out = mkdtempSync(join(tmpdir(), "quorum-model-"));
afterAll(() => rmSync(out, { recursive: true, force: true }));

describe("quorum run with a model", () => {
  it("uses the configured endpoint and says so", async () => {
    // Every agent gets the same canned reply: enough to see model mode engaged and accounted.
    const server = await startTestServer({ defaultReply: { content: "not json" } });
    try {
      const r = await cliAsync(["run", "scenarios/vendor-check.yaml", "--json", "--out", out], {
        OPENAI_BASE_URL: server.url,
        QUORUM_MODEL: "test-model",
        QUORUM_MODEL_MAX_RETRIES: "0",
      });
      const result = JSON.parse(r.stdout) as {
        status: string;
        modelMode: string;
        reason: string;
        runFile: string;
      };
      expect(result.modelMode).toBe("test-model");
      expect(result.status).toBe("failed");
      expect(result.reason).toMatch(/agent planner/);
      expect(result.runFile).toMatch(/\.json$/);
      expect(server.requests.length).toBe(2);
      expect(r.code).toBe(1);
    } finally {
      await server.close();
    }
  });

  it("an unreachable endpoint is one line, exit 1, with the endpoint named", async () => {
    const r = await cliAsync(["run", "scenarios/vendor-check.yaml", "--out", out], {
      OPENAI_BASE_URL: "http://127.0.0.1:9/v1",
      QUORUM_MODEL: "test-model",
      QUORUM_MODEL_MAX_RETRIES: "0",
    });
    expect(r.code).toBe(1);
    expect(r.stdout).toMatch(/Status: failed \(error\[model\].*127\.0\.0\.1:9/);
  });

  it("--offline keeps a configured model out", async () => {
    const r = await cliAsync(["run", "scenarios/vendor-check.yaml", "--json", "--offline", "--out", out], {
      OPENAI_BASE_URL: "http://127.0.0.1:9/v1",
      QUORUM_MODEL: "test-model",
    });
    expect(r.code).toBe(0);
    expect((JSON.parse(r.stdout) as { modelMode: string | null }).modelMode).toBeNull();
  });
});
