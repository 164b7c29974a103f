// The built CLI end to end (the test script builds first).
import { spawnSync } from "node:child_process";
import { mkdtempSync, readdirSync, readFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join, resolve } from "node:path";
import { describe, expect, it } from "vitest";
import { RunFileSchema } from "../../src/core/index.js";

const BIN = resolve("bin/quorum.js");
const FIXTURES = "tests/privacy/fixtures/compositional";

function quorum(args: string[], cwd = process.cwd()) {
  const r = spawnSync(process.execPath, [BIN, ...args], { cwd, encoding: "utf8" });
  return { code: r.status, stdout: r.stdout, stderr: r.stderr };
}

describe("quorum eval compositional", () => {
  it("--json prints exactly the documented shape, one row per defense and adversary", () => {
    const r = quorum([
      "eval",
      "compositional",
      "--data",
      FIXTURES,
      "--defense",
      "none,tom",
      "--adversary",
      "direct,relay",
      "--json",
    ]);
    expect(r.code, r.stderr).toBe(0);
    const out = JSON.parse(r.stdout) as { results: Array<Record<string, unknown>> };
    expect(Object.keys(out)).toEqual(["results"]);
    expect(out.results.map((x) => `${x.defense}/${x.adversary}`)).toEqual([
      "none/direct",
      "none/relay",
      "tom/direct",
      "tom/relay",
    ]);
    for (const row of out.results) {
      expect(Object.keys(row).sort()).toEqual(
        [
          "defense",
          "adversary",
          "scenarios",
          "sensitiveBlocked",
          "benignSucceeded",
          "balanced",
          "overall",
          "modelCalls",
          "tokens",
          "guardP50Ms",
          "guardP99Ms",
        ].sort(),
      );
    }
    expect(out.results[0]).toMatchObject({ scenarios: 2, sensitiveBlocked: 0, benignSucceeded: 100 });
    expect(out.results[3]).toMatchObject({
      scenarios: 2,
      sensitiveBlocked: 100,
      benignSucceeded: 100,
      overall: 100,
    });
    // Progress goes to stderr, so stdout stays machine-readable.
    expect(r.stderr).toMatch(/compositional: 8\/8/);
  });

  it("text mode prints the table and says the numbers are deterministic; --out writes the files", () => {
    const out = mkdtempSync(join(tmpdir(), "quorum-comp-out-"));
    const r = quorum([
      "eval",
      "compositional",
      "--data",
      "scenarios/privacy/compositional-demo.yaml",
      "--defense",
      "codef",
      "--out",
      out,
    ]);
    expect(r.code, r.stderr).toBe(0);
    expect(r.stdout).toMatch(/Not an LLM result/);
    expect(r.stdout).toMatch(
      /Defense\s+Adversary\s+Sensitive Blocked\s+Benign Succeeded\s+Balanced\s+Overall/,
    );
    expect(r.stdout).toMatch(/codef\s+direct\s+100\.0\s+100\.0\s+100\.0\s+100\.0/);
    const saved = JSON.parse(readFileSync(join(out, "results.json"), "utf8")) as { results: unknown[] };
    expect(saved.results).toHaveLength(1);
    const pairs = JSON.parse(readFileSync(join(out, "pairs.json"), "utf8")) as {
      pairs: Array<{ scenario: string }>;
    };
    expect(pairs.pairs[0]?.scenario).toBe("compositional-demo");
  });

  it("reads the shipped sample when --data is absent, from any folder", () => {
    const r = quorum(["eval", "compositional"], mkdtempSync(join(tmpdir(), "quorum-empty-")));
    expect(r.code, r.stderr).toBe(0);
    expect(r.stdout).toMatch(/1 scenario pairs from .*examples[\\/]data[\\/]compositional/);
  });

  it("an unparseable defense: a warning per file, or exit 2 naming file and field with --strict", () => {
    const dir = "tests/privacy/fixtures/compositional-invalid";
    const lenient = quorum(["eval", "compositional", "--data", dir]);
    expect(lenient.code, lenient.stderr).toBe(2);
    expect(lenient.stderr).toMatch(
      /warning: skipping error\[user_input\] .*unfinished-defense\.json: defense:/,
    );
    expect(lenient.stderr).toMatch(/no readable scenario/);
    const strict = quorum(["eval", "compositional", "--data", dir, "--strict"]);
    expect(strict.code, strict.stderr).toBe(2);
    expect(strict.stderr).toMatch(/^error\[user_input\] .*unfinished-defense\.json: defense: .*\(hint: /m);
    expect(strict.stderr).not.toMatch(/at .*\.js:\d+/);
  });

  it("a bad flag is a one-line user error", () => {
    const r = quorum(["eval", "compositional", "--data", FIXTURES, "--adversary", "sideways"]);
    expect(r.code, r.stderr).toBe(2);
    expect(r.stderr).toMatch(/command line: adversary\.0/);
  });

  it("--save-runs writes run files the tracer reads, with table rows redacted unless asked", () => {
    const out = mkdtempSync(join(tmpdir(), "quorum-comp-runs-"));
    const args = [
      "eval",
      "compositional",
      "--data",
      `${FIXTURES}/bakery.json`,
      "--defense",
      "tom",
      "--adversary",
      "relay",
    ];
    const r = quorum([...args, "--out", out, "--save-runs"]);
    expect(r.code, r.stderr).toBe(0);
    const files = readdirSync(join(out, "runs")).sort();
    expect(files).toEqual(["bakery.benign.relay.tom.json", "bakery.sensitive.relay.tom.json"]);
    const text = readFileSync(join(out, "runs", "bakery.sensitive.relay.tom.json"), "utf8");
    const run = RunFileSchema.parse(JSON.parse(text));
    expect(run.reason).toMatch(/inference failed/);
    expect(run.verdicts.length).toBeGreaterThan(0);
    // Canaries from the fixture's sensitive tables.
    expect(text).not.toMatch(/sesame|Quay Row/);
    const open = mkdtempSync(join(tmpdir(), "quorum-comp-runs-"));
    expect(quorum([...args, "--out", open, "--save-runs", "--include-private"]).code).toBe(0);
    expect(readFileSync(join(open, "runs", "bakery.sensitive.relay.tom.json"), "utf8")).toMatch(/sesame/);
    const trace = quorum(["trace", join(out, "runs", "bakery.sensitive.relay.tom.json")]);
    expect(trace.code, trace.stderr).toBe(0);
    expect(trace.stdout).toMatch(/Alice would hold 3 of 3/);
    expect(quorum([...args, "--save-runs"]).stderr).toMatch(/--save-runs needs --out/);
  });
});
