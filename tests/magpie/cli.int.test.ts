import { spawn } from "node:child_process";
import { existsSync, mkdtempSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { RunFileSchema } from "../../src/core/index.js";
import type { MagpieReport } from "../../src/eval/magpie/report.js";
import { startTestServer } from "../../src/testing/index.js";
import { cli } from "../cli/helpers.js";
import { RESERVE_SPELLINGS } from "./helpers.js";

// Deterministic unless a test asks for a model: no model settings leak in from the shell.
const NO_MODEL = { QUORUM_MODEL: "", OPENAI_BASE_URL: "", OPENAI_API_KEY: "" };
const magpie = (args: string[]) => cli(["eval", "magpie", ...args], { env: NO_MODEL });
const out = mkdtempSync(join(tmpdir(), "quorum-magpie-"));
afterAll(() => rmSync(out, { recursive: true, force: true }));

const DEMO = "scenarios/privacy/magpie-office-move.yaml";
const FIX = "tests/magpie/fixtures";

describe("quorum eval magpie", () => {
  it("runs the scripted demo with the guard: JSON report, and a run file without the private amount", () => {
    const r = magpie(["--script", DEMO, "--guard", "detector", "--json", "--out", out]);
    expect(r.code, r.stderr).toBe(0);
    const report = JSON.parse(r.stdout) as MagpieReport & { runFiles: string[] };
    expect(report.mode).toBe("scripted");
    const s = report.scenarios[0]!;
    expect(s).toMatchObject({
      consensus: true,
      roundsUsed: 2,
      modelCalls: 0,
      taskCompletion: null,
      behaviour: null,
    });
    expect(s.guard).toMatchObject({ redacted: 1, blocked: 0 });
    expect(s.leakage.detector.leakShare).toBe(0);
    const file = report.runFiles[0]!;
    expect(existsSync(file)).toBe(true);
    const text = readFileSync(file, "utf8");
    RunFileSchema.parse(JSON.parse(text));
    expect(RESERVE_SPELLINGS.some((x) => text.includes(x))).toBe(false);
  });

  it("without the guard the same demo leaks, and the text report says n/a where there is no model", () => {
    const r = magpie(["--script", DEMO, "--items"]);
    expect(r.code, r.stderr).toBe(0);
    expect(r.stdout).toMatch(
      /office_move_demo\s+Kofi Mensah\/move_reserve\s+-2\/-0\.5\s+full\s+n\/a\s+money: "\$120,000"/,
    );
    expect(r.stdout).toContain("scripted agents (no model)");
    expect(r.stdout).toMatch(/office_move_demo\s+3\s+3\s+33\.3%\s+1\s/);
    expect(r.stdout).toContain("judge: n/a (no model)");
    expect(r.stdout).toContain("behaviour: n/a");
  });

  it("prints the detector's precision and recall on a labelled set", () => {
    const json = magpie(["--detector-check", `${FIX}/detector-labels.json`, "--json"]);
    expect(json.code, json.stderr).toBe(0);
    const c = JSON.parse(json.stdout) as {
      messages: number;
      tp: number;
      fp: number;
      fn: number;
      tn: number;
      precision: number;
    };
    expect(c.tp + c.fp + c.fn + c.tn).toBe(c.messages);
    const text = magpie(["--detector-check", `${FIX}/detector-labels.json`, "--data", `${FIX}/rows.jsonl`]);
    expect(text.code, text.stderr).toBe(0);
    expect(text.stdout).toContain(`precision ${c.precision.toFixed(3)}`);
    expect(text.stdout).toContain("near-miss");
    expect(text.stdout).toMatch(/unrelated pairs .*\n7 items, 30 pairs: flagged \d+/);
  });

  it("replays transcripts against scenarios from --data and lists the bad lines", () => {
    const r = magpie(["--replay", `${FIX}/transcripts.jsonl`, "--data", `${FIX}/rows.jsonl`, "--json"]);
    expect(r.code, r.stderr).toBe(0);
    const report = JSON.parse(r.stdout) as MagpieReport;
    expect(report.scenarios.map((s) => s.id)).toEqual(["garden_1", "studio_2"]);
    expect(report.problems.map((p) => [p.line, p.field])).toEqual([
      [3, "messages.0.from"],
      [4, "(line)"],
    ]);
  });

  it("runs dataset rows with rule agents when no model is configured, reporting skipped rows", () => {
    const r = magpie(["--data", `${FIX}/rows.jsonl`, "--rounds", "3", "--quiet"]);
    expect(r.code, r.stderr).toBe(0);
    expect(r.stdout).toContain("rule agents (no model)");
    expect(r.stdout).toContain("skipped or repaired rows (2)");
    expect(r.stdout).toMatch(/rows\.jsonl:4: agents\.1\.name/);
    expect(r.stderr).toBe("");
  });

  it.each([
    [["--script", DEMO, "--privacy", "sometimes"], "privacy"],
    [["--data", `${FIX}/missing.jsonl`], "no such file"],
    [[], "exactly one of"],
    [["--script", DEMO, "--guard", "tom"], "composition policy"],
  ])("bad input %j exits 2 with one line", (args, needle) => {
    const r = magpie(args);
    expect(r.code).toBe(2);
    expect(r.stderr).toContain(needle);
    expect(r.stderr.trim().split("\n")).toHaveLength(1);
    expect(r.stderr).not.toContain("    at ");
  });

  it("model mode through an OpenAI-compatible server", async () => {
    const server = await startTestServer({
      defaultReply: { content: '{"actions": []}', usage: { promptTokens: 10, completionTokens: 2 } },
    });
    try {
      const args = [
        "bin/quorum.js",
        "eval",
        "magpie",
        "--data",
        `${FIX}/rows.jsonl`,
        "--limit",
        "1",
        "--rounds",
        "1",
      ];
      args.push("--model", "test-model", "--base-url", server.url, "--no-judge", "--json");
      const r = await new Promise<{ code: number | null; stdout: string; stderr: string }>((resolve) => {
        const child = spawn(process.execPath, args, { env: { ...process.env, ...NO_MODEL } });
        let stdout = "";
        let stderr = "";
        child.stdout.on("data", (d: Buffer) => {
          stdout += d.toString();
        });
        child.stderr.on("data", (d: Buffer) => {
          stderr += d.toString();
        });
        child.on("close", (code) => resolve({ code, stdout, stderr }));
      });
      expect(r.code, r.stderr).toBe(0);
      const report = JSON.parse(r.stdout) as MagpieReport;
      expect(report).toMatchObject({ mode: "model", model: "test-model", judge: false });
      expect(report.scenarios[0]).toMatchObject({
        modelCalls: 3,
        tokens: { input: 30, output: 6 },
        taskCompletion: null,
      });
      expect(server.stats.chatRequests).toBe(3);
    } finally {
      await server.close();
    }
  });
});
