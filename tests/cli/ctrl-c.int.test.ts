// Ctrl-C during `quorum run`: the run stops at once (here while the planner waits on a slow
// model), exits 130, says how to carry on, and `quorum resume` does carry on from the checkpoint.
import { spawn } from "node:child_process";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { startTestServer } from "../../src/testing/index.js";
import { cliAsync } from "./helpers.js";

const dir = mkdtempSync(join(tmpdir(), "quorum-ctrl-c-"));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

function runUntilAsked(args: string[], env: NodeJS.ProcessEnv, ready: () => boolean) {
  return new Promise<{ code: number | null; stderr: string; ms: number }>((resolve, reject) => {
    const child = spawn(process.execPath, ["bin/quorum.js", ...args], {
      env: { ...process.env, ...env },
      stdio: ["ignore", "pipe", "pipe"],
    });
    let stderr = "";
    let sentAt = 0;
    child.stdout.resume();
    child.stderr.on("data", (c: Buffer) => {
      stderr += c.toString();
    });
    const poll = setInterval(() => {
      if (sentAt === 0 && ready()) {
        sentAt = Date.now();
        child.kill("SIGINT");
      }
    }, 50);
    child.on("error", reject);
    child.on("close", (code) => {
      clearInterval(poll);
      resolve({ code, stderr, ms: Date.now() - sentAt });
    });
  });
}

describe("Ctrl-C during quorum run", () => {
  it("stops the run, exits 130 with the resume command, and the run resumes", async () => {
    // The planner's model answers only after 20 s: Ctrl-C comes while it waits.
    const slow = await startTestServer({ defaultReply: { content: "not json", delayMs: 20_000 } });
    const db = join(dir, "runs.db");
    const env = { OPENAI_BASE_URL: slow.url, QUORUM_MODEL: "test-model", QUORUM_MODEL_MAX_RETRIES: "0" };
    try {
      const r = await runUntilAsked(
        ["run", "scenarios/vendor-check.yaml", "--db", db, "--thread", "cc-1", "--out", join(dir, "runs")],
        env,
        () => slow.requests.length > 0,
      );
      expect(r.code, r.stderr).toBe(130);
      expect(r.ms).toBeLessThan(15_000);
      expect(r.stderr).toContain("stopping the run; its checkpoint stays");
      expect(r.stderr).toContain(`carry on with quorum resume cc-1 --db ${db}`);
    } finally {
      await slow.close();
    }
    // A model that answers at once (with something the planner cannot use): the resumed run gets
    // as far as the planner and fails there, so the thread was kept and carried on.
    const quick = await startTestServer({ defaultReply: { content: "not json" } });
    try {
      const again = await cliAsync(["resume", "cc-1", "--db", db, "--json", "--out", join(dir, "runs")], {
        ...env,
        OPENAI_BASE_URL: quick.url,
      });
      expect(JSON.parse(again.stdout).status).toBe("failed");
      expect(quick.requests.length).toBeGreaterThan(0);
    } finally {
      await quick.close();
    }
  });
});
