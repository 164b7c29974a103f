import { spawn } from "node:child_process";
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { parse as parseYaml, stringify } from "yaml";
import { NO_RISK } from "../../src/guards/plan/judge.js";
import { startTestServer } from "../../src/testing/index.js";
import { cli } from "../cli/helpers.js";

const FIXTURES = "tests/plan/fixtures";
const tmp = mkdtempSync(join(tmpdir(), "quorum-plan-cli-"));
afterAll(() => rmSync(tmp, { recursive: true, force: true }));

describe("quorum eval plan-risk", () => {
  it("--json prints exactly the documented keys", () => {
    const r = cli([
      "eval",
      "plan-risk",
      "--data",
      `${FIXTURES}/trajectories.json`,
      "--view",
      "observations",
      "--json",
    ]);
    expect(r.code, r.stderr).toBe(0);
    const out = JSON.parse(r.stdout) as Record<string, unknown>;
    expect(Object.keys(out)).toEqual([
      "n",
      "accuracy",
      "precision",
      "recall",
      "f1",
      "fpr",
      "riskTypeAccuracy",
      "p50Ms",
      "p99Ms",
      "confusion",
    ]);
    expect(out).toMatchObject({ n: 6, accuracy: 100, fpr: 0, riskTypeAccuracy: null, confusion: null });
    expect(r.stderr).toContain("plan-risk observations/rules: 6/6");
  });

  it("prints a table with risk-type accuracy when the data has gold types", () => {
    const r = cli(["eval", "plan-risk", "--data", `${FIXTURES}/asb-style.json`, "--view", "observations"]);
    expect(r.code, r.stderr).toBe(0);
    expect(r.stdout).toMatch(/n\s+accuracy\s+precision\s+recall\s+F1\s+FPR \(safe\)\s+risk-type acc/);
    expect(r.stdout).toContain("rules fired (plans): untrusted-instruction 1");
    // The confusion matrix: one flagged unsafe record, keyed by the data's own label.
    expect(r.stdout).toMatch(/gold risk type\s+flagged\s+predicted risk type \(records\)/);
    expect(r.stdout).toMatch(/Data Tampering & Destruction\s+1\s+[a-z]/);
    const json = cli([
      "eval",
      "plan-risk",
      "--data",
      `${FIXTURES}/asb-style.json`,
      "--view",
      "observations",
      "--json",
    ]);
    const confusion = (JSON.parse(json.stdout) as { confusion: Record<string, Record<string, number>> })
      .confusion;
    expect(Object.keys(confusion)).toEqual(["Data Tampering & Destruction"]);
    expect(Object.values(confusion["Data Tampering & Destruction"] ?? {})).toEqual([1]);
  });

  it("judge mode talks to an OpenAI-compatible server", async () => {
    // Every plan judged safe: recall 0 on the unsafe records, FPR 0 on the safe ones.
    const server = await startTestServer({ defaultReply: { content: NO_RISK } });
    try {
      const r = await cliAsync(
        [
          "eval",
          "plan-risk",
          "--data",
          `${FIXTURES}/trajectories.json`,
          "--mode",
          "judge",
          "--model",
          "j",
          "--json",
        ],
        { OPENAI_BASE_URL: server.url },
      );
      expect(r.code, r.stderr).toBe(0);
      expect(JSON.parse(r.stdout)).toMatchObject({ n: 6, recall: 0, fpr: 0 });
      expect(server.requests.filter((q) => q.outcome === "default")).toHaveLength(6);
    } finally {
      await server.close();
    }
  });

  it("reads the shipped sample when --data is absent, and names a missing file", async () => {
    const sample = await cliAsync(["eval", "plan-risk"], {}, tmp);
    expect(sample.code, sample.stderr).toBe(0);
    expect(sample.stdout).toMatch(/plan-risk on .*r-judge-sample\.json \(view plan, mode rules/);
    const missing = cli(["eval", "plan-risk", "--data", join(tmp, "nope.json")]);
    expect(missing.code).toBe(2);
    expect(missing.stderr).toContain("nope.json");
  });
});

describe("quorum guard plan", () => {
  it("prints the verdict of a plan file", () => {
    const r = cli(["guard", "plan", `${FIXTURES}/plan-file.json`, "--json"]);
    expect(r.code, r.stderr).toBe(2); // blocked: a refusal
    const v = JSON.parse(r.stdout) as { decision: string; riskType: string; stepIndices: number[] };
    expect(v).toMatchObject({
      decision: "block",
      riskType: "external adversarial attack",
      stepIndices: [0, 1],
    });
  });

  it("reads Safiron-style records and trajectories too", () => {
    const s = cli(["guard", "plan", `${FIXTURES}/safiron-record.json`]);
    expect(s.code, s.stderr).toBe(2); // blocked: a refusal
    expect(s.stdout).toContain("decision: block");
    expect(s.stdout).toContain("risk: property / financial loss");
    const traj = JSON.parse(readFileSync(`${FIXTURES}/trajectories.json`, "utf8")) as unknown[];
    const file = join(tmp, "one.json");
    writeFileSync(file, JSON.stringify(traj[1]));
    const t = cli(["guard", "plan", file]);
    expect(t.stdout).toContain("decision: allow");
  });

  it("uses a custom policy and reports its errors by rule and field", () => {
    const policy = parseYaml(readFileSync("policies/default.yaml", "utf8")) as {
      rules: Array<Record<string, unknown>>;
      riskTypeOrder: string[];
    };
    const dropped = (id: unknown) => id === "financial-authorisation" || id === "argument-provenance";
    const relaxed = {
      ...policy,
      rules: policy.rules.filter((r) => !dropped(r["id"])),
      riskTypeOrder: policy.riskTypeOrder.filter((id) => !dropped(id)),
    };
    const ok = join(tmp, "relaxed.yaml");
    writeFileSync(ok, stringify(relaxed));
    const r = cli(["guard", "plan", `${FIXTURES}/safiron-record.json`, "--policy", ok]);
    expect(r.stdout).toContain("decision: allow");
    const bad = join(tmp, "bad.yaml");
    (policy.rules[0] as Record<string, unknown>)["decision"] = "maybe";
    writeFileSync(bad, stringify(policy));
    const e = cli(["guard", "plan", `${FIXTURES}/safiron-record.json`, "--policy", bad]);
    expect(e.code).toBe(2);
    expect(e.stderr).toContain("rules[untrusted-instruction].decision");
  });
});

/** The CLI without blocking this process, so a test server living here can answer it. */
function cliAsync(
  args: string[],
  env: NodeJS.ProcessEnv,
  cwd = process.cwd(),
): Promise<{ code: number | null; stdout: string; stderr: string }> {
  const bin = join(process.cwd(), "bin", "quorum.js");
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [bin, ...args], { env: { ...process.env, ...env }, cwd });
    let stdout = "";
    let stderr = "";
    child.stdout.on("data", (c: Buffer) => {
      stdout += c.toString();
    });
    child.stderr.on("data", (c: Buffer) => {
      stderr += c.toString();
    });
    child.on("error", reject);
    child.on("close", (code) => resolve({ code, stdout, stderr }));
  });
}
