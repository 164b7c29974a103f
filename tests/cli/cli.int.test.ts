import { existsSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { RunFileSchema } from "../../src/core/index.js";
import { cli } from "./helpers.js";

const out = mkdtempSync(join(tmpdir(), "quorum-cli-"));
afterAll(() => rmSync(out, { recursive: true, force: true }));

describe("quorum demo", () => {
  it("runs the embedded scenario with no model and tells the story", () => {
    const r = cli(["demo", "--out", out]);
    expect(r.code).toBe(0);
    expect(r.stdout).toContain("deterministic: scripted agents, no model");
    expect(r.stdout).toMatch(/verifier rejects cause \(attempt 1\)/);
    expect(r.stdout).toMatch(/supervisor: retry/);
    expect(r.stdout).toContain("Final answer: Cause: checkout 4.12.0");
    const file = /Run file: (.+)/.exec(r.stdout)?.[1];
    expect(file && existsSync(file)).toBe(true);
    const run = RunFileSchema.parse(JSON.parse(readFileSync(file as string, "utf8")));
    expect(run.status).toBe("finished");
    expect(run.usage.modelCalls).toBe(0);
  });
});

describe("quorum demo <feature>", () => {
  it("compositional: none leaks, tom and codef block the sensitive run and let the benign one through", () => {
    const r = cli(["demo", "compositional", "--json"]);
    expect(r.code, r.stderr).toBe(0);
    const rows = (
      JSON.parse(r.stdout) as {
        results: Array<{ defense: string; adversary: string; overall: number; sensitiveBlocked: number }>;
      }
    ).results;
    expect(rows.filter((x) => x.defense === "none").every((x) => x.sensitiveBlocked === 0)).toBe(true);
    expect(rows.filter((x) => x.defense !== "none").every((x) => x.overall === 100)).toBe(true);
  });

  it("magpie: the guard keeps the private amount out and the agents still agree", () => {
    const r = cli(["demo", "magpie"]);
    expect(r.code, r.stderr).toBe(0);
    expect(r.stdout).toMatch(/consensus: 100\.0%/);
    expect(r.stdout).toMatch(/leakage \(detector\): 0\.0%/);
  });

  it("an unknown feature: exit 2 with the choices", () => {
    const r = cli(["demo", "nope"]);
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(/no demo named nope.*team, compositional or magpie/);
  });
});

describe("quorum run --json", () => {
  const scenarios = [
    ...readdirSync("scenarios").filter((f) => f.endsWith(".yaml")),
    ...readdirSync("scenarios/guardrail").map((f) => `guardrail/${f}`),
  ];
  // The invoice scenario is an injection the plan guard is meant to stop.
  const expected: Record<string, string> = { "guardrail/invoice-payment.yaml": "blocked" };
  it.each(scenarios)("%s exits 0 (2 when blocked) and prints the final answer and run file", (f) => {
    const r = cli(["run", `scenarios/${f}`, "--json", "--out", out]);
    expect(r.code, r.stderr).toBe(expected[f] === "blocked" ? 2 : 0);
    const result = JSON.parse(r.stdout) as {
      finalAnswer: string | null;
      runFile: string;
      status: string;
      reason: string;
    };
    expect(result.status).toBe(expected[f] ?? "finished");
    if (result.status === "finished") expect(result.finalAnswer?.length).toBeGreaterThan(0);
    else expect(result.reason).toMatch(/plan blocked before any of its steps ran/);
    expect(existsSync(result.runFile)).toBe(true);
  });

  it("keeps private values out of the run file unless asked", () => {
    const r = cli(["run", "scenarios/vendor-check.yaml", "--json", "--out", out]);
    const { runFile } = JSON.parse(r.stdout) as { runFile: string };
    expect(readFileSync(runFile, "utf8")).not.toContain("walk-away price");
    const r2 = cli(["run", "scenarios/vendor-check.yaml", "--json", "--out", out, "--include-private"]);
    expect(readFileSync((JSON.parse(r2.stdout) as { runFile: string }).runFile, "utf8")).toContain(
      "walk-away price",
    );
  });
});

describe("bad input", () => {
  const oneLine = (s: string) => s.trim().split("\n").length === 1;

  it("a missing scenario file: one line, exit 2", () => {
    const r = cli(["run", "nope.yaml"]);
    expect(r.code).toBe(2);
    expect(oneLine(r.stderr)).toBe(true);
    expect(r.stderr).toMatch(/error\[user_input\] nope\.yaml: cannot read scenario file/);
  });

  it("a malformed scenario: file and field, no stack trace", () => {
    const bad = join(out, "bad.yaml");
    writeFileSync(
      bad,
      readFileSync("scenarios/incident-response.yaml", "utf8").replace(
        "assignee: metrics",
        "assignee: ghost",
      ),
    );
    const r = cli(["run", bad, "--json"]);
    expect(r.code).toBe(2);
    expect(oneLine(r.stderr)).toBe(true);
    expect(r.stderr).toContain("plan.1.assignee: unknown assignee ghost");
    expect(r.stderr).not.toMatch(/at .*\.js:\d+/);
    expect(r.stdout).toBe("");
  });

  it("an unknown flag: exit 2", () => {
    const r = cli(["run", "scenarios/vendor-check.yaml", "--frobnicate"]);
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(/unknown option '--frobnicate'/);
  });

  it("resume of an unknown thread: exit 2 with a hint", () => {
    const r = cli(["resume", "thread-nope", "--db", join(out, "empty.db")]);
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(/no thread thread-nope in the database/);
  });

  it("writes no run file when the run cannot start", () => {
    const dir = join(out, "none");
    cli(["run", "nope.yaml", "--out", dir]);
    expect(existsSync(dir)).toBe(false);
  });
});

describe("quorum --version", () => {
  it("prints the package version", () => {
    const r = cli(["--version"]);
    expect(r.code).toBe(0);
    expect(r.stdout.trim()).toBe(
      (JSON.parse(readFileSync("package.json", "utf8")) as { version: string }).version,
    );
  });
});
