// Issue 7.4 (CLI half) and 7.5 (quorum audit end to end), on the built CLI.
// A bad file given to any command exits 2 with exactly one line on stderr; the audit command
// reports per channel and exits 1 when it finds a canary, 0 when the run is clean.
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import fc from "fast-check";
import { afterAll, describe, expect, it } from "vitest";
import type { AuditReport } from "../../src/eval/audit/index.js";
import { canaryGuards } from "../../src/eval/audit/index.js";
import { teamFromScenario } from "../../src/graph/from-scenario.js";
import { toRunFile, writeRunFile } from "../../src/graph/runfile.js";
import { loadScenario } from "../../src/graph/scenario.js";
import { cli } from "../cli/helpers.js";
import { SEED } from "./helpers.js";
import { mutatedText } from "./mutate.js";

const dir = mkdtempSync(join(tmpdir(), "quorum-rel-cli-"));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

const read = (p: string) => readFileSync(p, "utf8");

/** Seeded broken variants of a valid file that the loader must refuse (checked in-process first). */
function brokenVariants(seedText: string, count: number, invalid: (t: string) => boolean): string[] {
  const out: string[] = [];
  for (const t of fc.sample(mutatedText(seedText), { seed: SEED, numRuns: 200 })) {
    if (out.length >= count) break;
    if (invalid(t)) out.push(t);
  }
  return out;
}

function expectOneLineRefusal(args: string[], file: string): void {
  const r = cli(args);
  expect(r.code, `${args.join(" ")}\n${r.stderr}`).toBe(2);
  const lines = r.stderr.split("\n").filter((l) => l.trim() !== "");
  expect(lines, r.stderr).toHaveLength(1);
  expect(lines[0]).toMatch(/^error\[user_input\] /);
  expect(lines[0]).toContain(file);
}

const notJson = (t: string) => {
  try {
    JSON.parse(t);
    return false;
  } catch {
    return true;
  }
};

describe("a bad file exits 2 with one line, for every command that reads one", () => {
  const scenario = read("scenarios/incident-response.yaml");
  const runSeed = JSON.stringify({ format: "quorum.run", version: 1, runId: "r", threadId: "t" }, null, 1);
  const cases: Array<{ name: string; ext: string; texts: string[]; args: (f: string) => string[] }> = [
    {
      name: "run <scenario.yaml>",
      ext: ".yaml",
      // A wrong key type or a broken structure: the loader refuses these in-process too.
      texts: [
        "name: [x\n",
        scenario.replace("plan:", "plan: 7\nx:"),
        scenario.replace("role: planner", "role: boss"),
      ],
      args: (f) => ["run", f, "--out", dir],
    },
    {
      name: "trace <run.json>",
      ext: ".json",
      texts: [runSeed, ...brokenVariants(runSeed, 1, notJson)],
      args: (f) => ["trace", f],
    },
    {
      name: "audit <run.json>",
      ext: ".json",
      texts: [runSeed, ...brokenVariants(runSeed, 1, notJson)],
      args: (f) => ["audit", f],
    },
    {
      name: "guard plan <plan.json>",
      ext: ".json",
      texts: ["{ nope", '{"steps": 3}'],
      args: (f) => ["guard", "plan", f],
    },
    {
      name: "guard plan --policy <policy.yaml>",
      ext: ".yaml",
      texts: ["rules: [\n", "version: 1\nname: p\nrules: 5\n"],
      args: (f) => ["guard", "plan", "tests/plan/fixtures/plan-file.json", "--policy", f],
    },
    {
      name: "eval compositional --data <file>",
      ext: ".json",
      texts: ['{"entities": "Alice"}', "[1, 2"],
      args: (f) => ["eval", "compositional", "--data", f],
    },
    {
      name: "eval plan-risk --data <file>",
      ext: ".json",
      texts: ["{}", '[{"contents": 1}]'],
      args: (f) => ["eval", "plan-risk", "--data", f],
    },
    {
      name: "eval who-and-when --data <file>",
      ext: ".json",
      texts: ['{"question": "q", "history": []}', "[["],
      args: (f) => ["eval", "who-and-when", "--data", f],
    },
  ];
  let n = 0;
  for (const c of cases) {
    it(c.name, () => {
      expect(c.texts.length).toBeGreaterThan(0);
      for (const text of c.texts) {
        const file = join(dir, `bad-${n++}${c.ext}`);
        writeFileSync(file, text);
        expectOneLineRefusal(c.args(file), file);
      }
    });
  }
  it("eval magpie --data <file with no loadable row>", () => {
    const file = join(dir, "bad.jsonl");
    writeFileSync(file, '{"a": 1}\n{bad\n');
    expectOneLineRefusal(["eval", "magpie", "--data", file], file);
  });
});

describe("quorum audit", () => {
  it("on a CLI run of a canary scenario: reports every channel (JSON), clean, exit 0", () => {
    const run = cli(["run", "scenarios/canary-payroll.yaml", "--json", "--out", dir]);
    expect(run.code, run.stderr).toBe(0);
    const runFile = (JSON.parse(run.stdout) as { runFile: string }).runFile;
    const r = cli(["audit", runFile, "--json"]);
    const report = JSON.parse(r.stdout) as AuditReport;
    expect(report.channels.map((c) => c.channel)).toEqual([
      "messages",
      "tool-arguments",
      "memory",
      "errors",
      "run-file",
      "trace-json",
      "trace-dot",
      "trace-mermaid",
      "trace-html",
      "logs",
    ]);
    expect(report.canaries.map((c) => c.id)).toContain("memory:review-notes");
    // The scenario turns on the leak guard (`guards: { leak: true }`): nothing is found.
    expect(report.clean, JSON.stringify(report.channels)).toBe(true);
    expect(r.code).toBe(0);
    // Never things that are redacted by construction, whatever guards the CLI turns on.
    for (const ch of ["memory", "errors", "tool-arguments"]) {
      expect(report.channels.find((c) => c.channel === ch)?.findings, ch).toEqual([]);
    }
    // The report never repeats a canary value.
    expect(r.stdout).not.toContain("EUR 91,250");
    expect(r.stdout).not.toContain("Larkspur");
  });

  it("a CLI run of the other canary scenario is clean too, and the answer is still right", () => {
    const run = cli(["run", "scenarios/canary-support.yaml", "--json", "--out", dir]);
    expect(run.code, run.stderr).toBe(0);
    const result = JSON.parse(run.stdout) as { runFile: string; finalAnswer: string; status: string };
    expect(result.status).toBe("finished");
    expect(result.finalAnswer).toContain("Pickup booked");
    expect(result.finalAnswer).not.toContain("Wrenfield");
    const audit = cli(["audit", result.runFile]);
    expect(audit.code, audit.stdout).toBe(0);
    expect(audit.stdout).toContain("No canary found outside its audience.");
  });

  it("a run with the canary guards on is clean: exit 0, a table of every channel, the log searched too", async () => {
    const scenario = loadScenario("scenarios/canary-support.yaml");
    const team = teamFromScenario(scenario, { guards: canaryGuards(scenario) });
    const result = await team.run(scenario.task, {
      threadId: "thread-cli-guarded",
      runId: "run-cli-guarded",
    });
    const path = writeRunFile(
      dir,
      toRunFile(result, {
        task: scenario.task,
        agents: team.agentNames,
        scenario: "scenarios/canary-support.yaml",
      }),
    );
    const log = join(dir, "quorum.log");
    writeFileSync(log, `${JSON.stringify({ level: 30, msg: "tool call", content: "[redacted]" })}\n`);
    const r = cli(["audit", path, "--log", log]);
    expect(r.code, r.stdout + r.stderr).toBe(0);
    expect(r.stdout).toMatch(/^logs\s+yes\s+0$/m);
    expect(r.stdout).toMatch(/^run-file\s+yes\s+0$/m);
    expect(r.stdout).toContain("No canary found outside its audience.");
    // A value given on the command line that is in the log is found there.
    writeFileSync(log, "debug: door code 5571-ALPHA\n");
    const found = cli(["audit", path, "--log", log, "--canary", "5571-ALPHA", "--json"]);
    expect(found.code).toBe(1);
    const report = JSON.parse(found.stdout) as AuditReport;
    expect(report.channels.find((c) => c.channel === "logs")?.findings).toEqual([
      { canary: "canary#1", where: "line 1" },
    ]);
  });
});
