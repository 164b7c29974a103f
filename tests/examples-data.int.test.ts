import { mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { cli } from "./cli/helpers.js";

// The shipped samples under examples/data/, run through the built CLI as a fresh clone would.
const DATA = "examples/data";
const tmp = mkdtempSync(join(tmpdir(), "quorum-examples-data-"));
afterAll(() => rmSync(tmp, { recursive: true, force: true }));

function ok(args: string[]): string {
  const r = cli(args);
  expect(r.code, r.stderr).toBe(0);
  return r.stdout;
}

describe("examples/data: Who&When", () => {
  it("eval who-and-when reads both splits", () => {
    const out = JSON.parse(ok(["eval", "who-and-when", "--data", `${DATA}/who-and-when`, "--json"])) as {
      splits: Array<{ split: string; method: string; n: number; agentAccuracy: number | null }>;
    };
    const prior = out.splits.filter((s) => s.method === "label-prior");
    expect(prior.map((s) => [s.split, s.n])).toEqual([
      ["algorithm-generated", 1],
      ["hand-crafted", 1],
    ]);
  });

  it("trace finds the wrong answer and names the agents of a hand-crafted log", () => {
    const out = ok(["trace", `${DATA}/who-and-when/hand-crafted/library-hours.json`]);
    expect(out).toContain("(8 items,");
    expect(out).toContain("final answer matches the ground truth: no");
    expect(out).toMatch(/responsibility by agent: .*WebSurfer/);
  });

  it("trace reads an algorithm-generated log by its agent names", () => {
    const out = ok(["trace", `${DATA}/who-and-when/algorithm-generated/orchard-yield.json`]);
    expect(out).toContain("(5 items,");
    expect(out).toContain("Arithmetic_Expert");
  });
});

describe("examples/data: MAGPIE", () => {
  it("eval magpie runs the sample scenario with rule agents", () => {
    const out = JSON.parse(ok(["eval", "magpie", "--data", `${DATA}/magpie/sample.jsonl`, "--json"])) as {
      scenarios: Array<{ id: string; agents: number; privateItems: number; items: Array<{ id: string }> }>;
    };
    expect(out.scenarios.map((s) => [s.id, s.agents, s.privateItems])).toEqual([
      ["sample_bakery_shifts", 3, 3],
    ]);
    expect(out.scenarios[0]?.items.map((i) => i.id)).toContain("Oskar Lind/court_date");
  });

  it("careless agents leak on the sample and the detector sees it", () => {
    const out = ok([
      "eval",
      "magpie",
      "--data",
      `${DATA}/magpie/sample.jsonl`,
      "--agents",
      "careless",
      "--quiet",
    ]);
    expect(out).toContain("overall: 1 scenarios, 3 private items");
    expect(out).toContain("leakage (detector): 100.0% of items partial or full (0 partial, 3 full)");
  });

  it("--detector-check reads the labelled leak set", () => {
    const out = JSON.parse(
      ok(["eval", "magpie", "--detector-check", `${DATA}/magpie/leak-labels.json`, "--json"]),
    ) as { tp: number; fp: number; fn: number; tn: number };
    expect(out.tp + out.fp + out.fn + out.tn).toBe(10);
    expect(out.tp + out.fn).toBe(7); // messages labelled partial or full
  });
});

describe("examples/data: plan risk", () => {
  for (const [file, n] of [
    ["r-judge-sample.json", 2],
    ["assebench-sample.json", 2],
  ] as const) {
    it(`eval plan-risk reads ${file} in both views`, () => {
      for (const view of ["plan", "observations"]) {
        const out = JSON.parse(
          ok(["eval", "plan-risk", "--data", `${DATA}/plan-risk/${file}`, "--view", view, "--json"]),
        ) as { n: number };
        expect(out.n).toBe(n);
      }
    });
  }

  it("guard plan and eval plan-risk default to the same view", () => {
    const records = JSON.parse(readFileSync(`${DATA}/plan-risk/r-judge-sample.json`, "utf8")) as unknown[];
    const one = join(tmp, "one.json");
    writeFileSync(one, JSON.stringify(records[0]));
    const verdict = (extra: string[]) => {
      const r = cli(["guard", "plan", one, "--json", ...extra]);
      expect(r.code, r.stderr).toBe(2); // the sample's unsafe record is blocked
      return (JSON.parse(r.stdout) as { stepIndices: number[] }).stepIndices;
    };
    const byDefault = verdict([]);
    expect(byDefault).toEqual(verdict(["--view", "plan"]));
    // The views differ on this record, so the default is not the observations view.
    expect(byDefault).not.toEqual(verdict(["--view", "observations"]));
    expect(ok(["eval", "plan-risk", "--data", `${DATA}/plan-risk/r-judge-sample.json`])).toContain(
      "(view plan,",
    );
  });
});

describe("examples/data: compositional", () => {
  it("eval compositional reads the sample scenario pair", () => {
    const out = ok(["eval", "compositional", "--data", `${DATA}/compositional`]);
    expect(out).toContain("1 scenario pairs from examples/data/compositional");
    expect(out).toMatch(/^tom\s+direct\s+100\.0\s+100\.0/m);
  });
});
