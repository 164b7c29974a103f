import { spawnSync } from "node:child_process";
import { mkdtempSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join, resolve } from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { PRIVATE_CANARY } from "./fixtures.js";

// Runs the built CLI (`npm test` builds first) as a user would.
const BIN = resolve("bin/quorum.js");
const FIX = "tests/trace/fixtures";
const tmp = mkdtempSync(join(tmpdir(), "quorum-trace-cli-"));
afterAll(() => rmSync(tmp, { recursive: true, force: true }));

function quorum(args: string[], cwd = process.cwd()) {
  const r = spawnSync(process.execPath, [BIN, ...args], { cwd, encoding: "utf8", timeout: 60_000 });
  return { code: r.status, stdout: r.stdout, stderr: r.stderr };
}

describe("quorum trace", () => {
  it("prints the root cause of a run file as text", () => {
    const r = quorum(["trace", `${FIX}/run-v1.json`]);
    expect(r.code).toBe(0);
    expect(r.stdout).toContain("root cause: rev-step_output-6 (step 3, analyst, step_output)");
    expect(r.stdout).toContain("evidence chain:");
  });

  it("writes json and html to --out, redacted unless --include-private", () => {
    const json = join(tmp, "trace.json");
    const r = quorum(["trace", `${FIX}/run-v1.json`, "--format", "json", "--out", json]);
    expect(r.code).toBe(0);
    expect(r.stdout).toBe("");
    expect(r.stderr).toContain("root cause: step 3, analyst");
    const parsed = JSON.parse(readFileSync(json, "utf8")) as { format: string; includesPrivate: boolean };
    expect(parsed.format).toBe("quorum.trace");
    expect(readFileSync(json, "utf8")).not.toContain(PRIVATE_CANARY);
    const html = join(tmp, "trace.html");
    expect(
      quorum(["trace", `${FIX}/run-v1.json`, "--format", "html", "--out", html, "--include-private"]).code,
    ).toBe(0);
    expect(readFileSync(html, "utf8")).toContain(PRIVATE_CANARY);
  });

  it("traces a Who&When record, with a ground truth from the command line", () => {
    const r = quorum([
      "trace",
      `${FIX}/who-and-when/hand-crafted/ferry.json`,
      "--format",
      "json",
      "--ground-truth",
      "Grey Gull",
    ]);
    expect(r.code).toBe(0);
    const view = JSON.parse(r.stdout) as { edgesInferred: boolean; report: { finalAnswerCorrect: boolean } };
    expect(view.edgesInferred).toBe(true);
    expect(view.report.finalAnswerCorrect).toBe(true);
    const dot = quorum(["trace", `${FIX}/who-and-when/hand-crafted/ferry.json`, "--format", "dot"]);
    expect(dot.stdout.startsWith("digraph idg {")).toBe(true);
  });

  it("bad input exits 2 with one line naming the file and field", () => {
    const bad = quorum(["trace", `${FIX}/invalid/missing-role.json`]);
    expect(bad.code).toBe(2);
    expect(bad.stderr.trim().split("\n")).toHaveLength(1);
    expect(bad.stderr).toContain("missing-role.json: history.2.role");
    const format = quorum(["trace", `${FIX}/run-v1.json`, "--format", "pdf"]);
    expect(format.code).toBe(2);
    expect(format.stderr).toContain("format");
  });
});

describe("quorum eval who-and-when", () => {
  it("--json prints exactly the splits rows", () => {
    const r = quorum([
      "eval",
      "who-and-when",
      "--data",
      `${FIX}/who-and-when`,
      "--with-ground-truth",
      "--json",
    ]);
    expect(r.code).toBe(0);
    const out = JSON.parse(r.stdout) as { splits: Array<Record<string, unknown>> };
    expect(Object.keys(out)).toEqual(["splits"]);
    for (const row of out.splits)
      expect(Object.keys(row)).toEqual(["split", "method", "n", "agentAccuracy", "stepAccuracy"]);
    const idg = out.splits.find((s) => s.split === "algorithm-generated" && s.method === "idg");
    expect(idg).toEqual({
      split: "algorithm-generated",
      method: "idg",
      n: 2,
      agentAccuracy: 100,
      stepAccuracy: 100,
    });
    expect(out.splits.some((s) => s.method === "label-prior")).toBe(true);
    const aao = out.splits.find((s) => s.method === "all-at-once");
    expect(aao?.agentAccuracy).toBeNull();
    expect(r.stderr).toContain("skipped all-at-once: needs a model");
    expect(r.stderr).toMatch(/who-and-when: \d+\/\d+/);
  });

  it("prints a table by default and rejects unknown methods", () => {
    const r = quorum(["eval", "who-and-when", "--data", `${FIX}/who-and-when`, "--method", "idg,random"]);
    expect(r.code).toBe(0);
    expect(r.stdout).toMatch(/hand-crafted\s+idg\s+1\s+/);
    const bad = quorum(["eval", "who-and-when", "--data", `${FIX}/who-and-when`, "--method", "idg,oracle"]);
    expect(bad.code).toBe(2);
    expect(bad.stderr).toContain("method");
  });

  it("reads the shipped sample when --data is absent, from any folder", () => {
    const r = quorum(["eval", "who-and-when", "--method", "idg", "--json"], tmp);
    expect(r.code, r.stderr).toBe(0);
    const { splits } = JSON.parse(r.stdout) as {
      splits: Array<{ split: string; method: string; n: number }>;
    };
    expect(splits.filter((s) => s.method === "idg").map((s) => [s.split, s.n])).toEqual([
      ["algorithm-generated", 1],
      ["hand-crafted", 1],
    ]);
  });
});
