// A scenario tool declared `needsApproval: true`: the CLI run pauses before it, says how to go on,
// and `quorum resume` approves, rejects or edits the call's arguments, across processes.
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { cli } from "./helpers.js";

const dir = mkdtempSync(join(tmpdir(), "quorum-cli-tool-approval-"));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

const scenario = join(dir, "vendor-check-approval.yaml");
writeFileSync(
  scenario,
  readFileSync("scenarios/vendor-check.yaml", "utf8").replace(
    "  - name: sanctions_screen\n",
    "  - name: sanctions_screen\n    needsApproval: true\n",
  ),
);
const out = join(dir, "runs");

function run(thread: string, db: string) {
  const r = cli(["run", scenario, "--db", db, "--thread", thread, "--out", out, "--json"]);
  expect(r.code, r.stderr).toBe(0);
  return JSON.parse(r.stdout);
}

describe("quorum run with a tool that needs approval", () => {
  it("pauses before the call and finishes on resume --approve", () => {
    const db = join(dir, "a.db");
    const paused = run("ta-1", db);
    expect(paused.status).toBe("interrupted");
    expect(paused.interrupt).toMatchObject({
      kind: "tool_approval",
      tool: "sanctions_screen",
      agent: "compliance",
    });
    const text = cli(["resume", "ta-1", "--db", db, "--out", out]);
    expect(text.code).toBe(2);
    expect(text.stderr).toMatch(/waiting for approval of a sanctions_screen call/);
    // The scenario replans once after a failed step, so its second plan screens again: each call
    // is asked about on its own.
    const statuses: string[] = [];
    for (let i = 0; i < 3 && statuses.at(-1) !== "finished"; i++) {
      const r = cli(["resume", "ta-1", "--db", db, "--approve", "--out", out, "--json"]);
      expect(r.code, r.stderr).toBe(0);
      statuses.push(JSON.parse(r.stdout).status);
    }
    expect(statuses).toEqual(["interrupted", "finished"]);
  });

  it("prints where it waits and the command to go on", () => {
    const db = join(dir, "b.db");
    const r = cli(["run", scenario, "--db", db, "--thread", "ta-2", "--out", out]);
    expect(r.stdout).toMatch(/Waiting for approval of compliance's sanctions_screen call/);
    expect(r.stdout).toContain("quorum resume ta-2 --db <file> --approve | --reject | --edit args.json");
  });

  it("runs the call with edited arguments from --edit", () => {
    const db = join(dir, "c.db");
    run("ta-3", db);
    const args = join(dir, "args.json");
    writeFileSync(args, JSON.stringify({ name: "Acme Metals Limited" }));
    const r = cli(["resume", "ta-3", "--db", db, "--edit", args, "--out", out, "--json"]);
    expect(r.code, r.stderr).toBe(0);
    expect(JSON.parse(r.stdout).status).toBe("interrupted");
    const runFile = JSON.parse(readFileSync(JSON.parse(r.stdout).runFile, "utf8"));
    const call = runFile.items.find(
      (i: { kind: string; content: { tool?: string } }) =>
        i.kind === "tool_call" && i.content.tool === "sanctions_screen",
    );
    expect(call.content.args).toEqual({ name: "Acme Metals Limited" });
  });
});
