// Issue 21 points 5 and 9, on the built CLI: every row of the README's exit-code table, unsafe ids
// refused before they become paths, and storage problems reported as the user's file.
import { spawnSync } from "node:child_process";
import {
  existsSync,
  mkdirSync,
  mkdtempSync,
  readdirSync,
  readFileSync,
  rmSync,
  writeFileSync,
} from "node:fs";
import { tmpdir } from "node:os";
import { join, resolve } from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { runAndKill } from "../cli/helpers.js";

const BIN = resolve("bin/quorum.js");
const ROOT = resolve(".");
const dir = mkdtempSync(join(tmpdir(), "quorum-exit-"));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

function quorum(args: string[], cwd = ROOT): { code: number | null; stdout: string; stderr: string } {
  const r = spawnSync(process.execPath, [BIN, ...args], { cwd, encoding: "utf8", timeout: 60_000 });
  return { code: r.status, stdout: r.stdout, stderr: r.stderr };
}

/** One line on stderr, a user-input error naming `file` (or the field) in it. */
function expectRefusal(r: ReturnType<typeof quorum>, mention: string): void {
  expect(r.code, r.stderr).toBe(2);
  const lines = r.stderr.split("\n").filter((l) => l.trim() !== "");
  expect(lines, r.stderr).toHaveLength(1);
  expect(lines[0]).toMatch(/^error\[user_input\] /);
  expect(lines[0]).toContain(mention);
}

function scenarioVariant(name: string, edit: (text: string) => string): string {
  const file = join(dir, `${name}.yaml`);
  writeFileSync(file, edit(readFileSync("scenarios/incident-response.yaml", "utf8")));
  return file;
}

const out = join(dir, "runs");

describe("exit 0: success", () => {
  it("a run that finishes", () => {
    expect(quorum(["run", "scenarios/vendor-check.yaml", "--out", out, "--json"]).code).toBe(0);
  });
  it("a plan the guard allows", () => {
    const plan = join(dir, "ok-plan.json");
    writeFileSync(
      plan,
      JSON.stringify({
        userRequest: "Check the status of invoice 3321.",
        steps: [{ tool: "InvoicesGetStatus", args: { invoice_id: "3321" } }],
      }),
    );
    const r = quorum(["guard", "plan", plan]);
    expect(r.stdout).toContain("decision: allow");
    expect(r.code, r.stderr).toBe(0);
  });
});

describe("exit 1: a run that failed", () => {
  it("the final answer is rejected", () => {
    const file = scenarioVariant("failing", (t) =>
      t.replace('contains: ["4.12.0", "roll back"]', 'contains: ["no such words"]'),
    );
    const r = quorum(["run", file, "--out", out, "--json"]);
    expect(JSON.parse(r.stdout).status).toBe("failed");
    expect(r.code).toBe(1);
  });
  it("a budget stops the run", () => {
    const file = scenarioVariant("budget", (t) => t.replace("maxSteps: 60", "maxSteps: 2"));
    const r = quorum(["run", file, "--out", out, "--json"]);
    expect(JSON.parse(r.stdout).status).toBe("stopped");
    expect(r.code).toBe(1);
  });
});

describe("exit 2: refused", () => {
  it("a run that ends blocked by the plan guard", () => {
    const r = quorum(["run", "scenarios/guardrail/invoice-payment.yaml", "--out", out, "--json"]);
    expect(JSON.parse(r.stdout).status).toBe("blocked");
    expect(r.code).toBe(2);
  });
  it("guard plan on a plan it blocks", () => {
    const r = quorum(["guard", "plan", "tests/plan/fixtures/plan-file.json"]);
    expect(r.stdout).toContain("decision: block");
    expect(r.code).toBe(2);
  });
  it("an eval with no data", () => {
    // Without --data the evals read the shipped samples; tests/cli/no-data.test.ts refuses a missing one.
    const none = join(dir, "none.json");
    writeFileSync(none, "[]");
    expectRefusal(quorum(["eval", "plan-risk", "--data", none]), none);
  });
  it("resume --approve on a thread that is not waiting for approval", () => {
    const db = join(dir, "approve.db");
    expect(
      quorum(["run", "scenarios/vendor-check.yaml", "--db", db, "--thread", "done-1", "--out", out]).code,
    ).toBe(0);
    const r = quorum(["resume", "done-1", "--db", db, "--approve", "--out", out]);
    expectRefusal(r, "not waiting for approval");
  });
});

describe("exit 2: bad input, before anything runs", () => {
  it("--thread is an id, never a path: ../package does not touch ./package.json", () => {
    const cwd = mkdtempSync(join(dir, "cwd-"));
    mkdirSync(join(cwd, "runs"));
    writeFileSync(join(cwd, "package.json"), "sentinel");
    const scenario = resolve("scenarios/vendor-check.yaml");
    for (const thread of ["../package", "a/b"]) {
      expectRefusal(quorum(["run", scenario, "--thread", thread], cwd), "--thread");
    }
    expect(readFileSync(join(cwd, "package.json"), "utf8")).toBe("sentinel");
    expect(readdirSync(join(cwd, "runs"))).toEqual([]);
    expectRefusal(quorum(["resume", "../package", "--db", join(cwd, "q.db")], cwd), "threadId");
    expect(existsSync(join(cwd, "q.db"))).toBe(false);
  });
  it("a scenario step id outside the safe set", () => {
    const file = scenarioVariant("bad-step", (t) => t.replace("- id: logs", '- id: "../logs"'));
    expectRefusal(quorum(["run", file, "--out", out]), "plan.0.id");
  });
  it("a --db that is not SQLite names the file", () => {
    const db = join(dir, "text.db");
    writeFileSync(db, "this is not a database, just text that is long enough to have a header\n".repeat(20));
    const r = quorum(["run", "scenarios/vendor-check.yaml", "--db", db, "--out", out]);
    expectRefusal(r, db);
    expect(r.stderr).toContain("not a SQLite database");
    expectRefusal(quorum(["resume", "t1", "--db", db, "--out", out]), db);
  });
  it.skipIf(process.getuid?.() === 0)(
    "a read-only --db names the file (skipped as root: root writes anyway)",
    () => {
      const ro = join(dir, "ro");
      mkdirSync(ro);
      const db = join(ro, "ro.db");
      expect(
        quorum(["run", "scenarios/vendor-check.yaml", "--db", db, "--thread", "ro-1", "--out", out]).code,
      ).toBe(0);
      spawnSync("chmod", ["-R", "a-w", ro]);
      try {
        expectRefusal(quorum(["run", "scenarios/vendor-check.yaml", "--db", db, "--out", out]), db);
      } finally {
        spawnSync("chmod", ["-R", "u+w", ro]);
      }
    },
  );
  it("an --out that cannot be written fails before any side effect", () => {
    const notDir = join(dir, "a-file");
    writeFileSync(notDir, "x");
    const db = join(dir, "out-check.db");
    const r = quorum(["run", "scenarios/incident-response.yaml", "--db", db, "--out", join(notDir, "runs")]);
    expectRefusal(r, "--out");
    // Nothing ran: the database (which would hold the paging side effect) was never created.
    expect(existsSync(db)).toBe(false);
  });
});

describe("event seqs after a crash and a resume", () => {
  it("never repeat, with the writes of the killed process's finished branches kept", async () => {
    const db = join(dir, "seq.db");
    // After the first node the three specialists run in parallel; a kill there leaves the writes
    // of those that finished saved beside the last checkpoint.
    const { killed } = await runAndKill(
      ["run", "scenarios/incident-response.yaml", "--db", db, "--thread", "seq-1", "--out", out],
      1,
    );
    expect(killed).toBe(true);
    const r = quorum(["resume", "seq-1", "--db", db, "--json", "--out", out]);
    expect(r.code, r.stderr).toBe(0);
    const run = JSON.parse(readFileSync(JSON.parse(r.stdout).runFile, "utf8")) as {
      events: Array<{ seq: number }>;
    };
    const seqs = run.events.map((e) => e.seq);
    expect(new Set(seqs).size).toBe(seqs.length);
  });
});
