import { mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { cli } from "./helpers.js";

const dir = mkdtempSync(join(tmpdir(), "quorum-replay-"));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

// The incident scenario with a root-cause step that names the wrong deploy and no step-level
// check: the mistake surfaces only when the verifier rejects the final answer.
const failing = readFileSync("scenarios/incident-response.yaml", "utf8").replace(
  /outputs:\n\s+- "Cause: the search 2\.3\.1 copy fix\."\n\s+- "[^"]+"\n\s+expect: \{[^}]+\}/,
  'outputs: ["Cause: the search 2.3.1 copy fix."]',
);
const CORRECTED =
  "Cause: checkout 4.12.0 (14:02) retries payments calls 5x, exhausting the payments-db pool.";

describe("quorum trace --replay on a checkpointed run", () => {
  it("names the step that dropped the value and confirms it by re-running with the correction", () => {
    // the fixture edit took: only the wrong cause is scripted, with no step-level check
    expect(failing).toContain('outputs: ["Cause: the search 2.3.1 copy fix."]');
    const scenario = join(dir, "failing.yaml");
    writeFileSync(scenario, failing);
    const db = join(dir, "runs.db");
    const run = cli(["run", scenario, "--db", db, "--json", "--out", dir]);
    const { runFile, status } = JSON.parse(run.stdout) as { runFile: string; status: string };
    expect(status).toBe("failed");

    const plain = cli(["trace", runFile, "--format", "json"]);
    expect(plain.code, plain.stderr).toBe(0);
    const { report } = JSON.parse(plain.stdout) as {
      report: { rootCause: { agent: string; step: number; status: string } };
    };
    expect(report.rootCause).toMatchObject({ agent: "deploys", status: "suspect" });

    const replayed = cli(["trace", runFile, "--replay", "--db", db, "--corrected", CORRECTED]);
    expect(replayed.code, replayed.stderr).toBe(0);
    expect(replayed.stdout).toMatch(/root cause: \S+ \(step \d+, deploys, step_output\)\s+\[confirmed\]/);
    expect(replayed.stdout).toMatch(/dropped value: was handed "4\.12\.0" but left it out/);
    expect(replayed.stdout).toMatch(/replay: failure goes away/);
  });

  it("refuses --replay without the checkpoint file, in one line", () => {
    const r = cli(["trace", "tests/trace/fixtures/run-v1.json", "--replay"]);
    expect(r.code).toBe(2);
    expect(r.stderr.trim().split("\n")).toHaveLength(1);
    expect(r.stderr).toMatch(/--replay needs the run's checkpoints/);
  });
});
