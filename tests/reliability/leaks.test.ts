// Issue 7.5: canary private values, and every channel a run writes to. With guards on, a canary
// appears in none of them unless the user opts in; with guards off the audit finds it (so a clean
// report means something).
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { Writable } from "node:stream";
import { afterAll, describe, expect, it, vi } from "vitest";
import { z } from "zod";
import { ModelSpecialist } from "../../src/agents/index.js";
import { createLogger, defineTool, REDACTED, REPEATED_PRIVATE_LABEL } from "../../src/core/index.js";
import {
  type AuditReport,
  auditRun,
  auditRunFile,
  type Canary,
  canaryGuards,
  masked,
  scenarioCanaries,
  valueCanaries,
} from "../../src/eval/audit/index.js";
import { teamFromScenario } from "../../src/graph/from-scenario.js";
import { InMemoryToolJournal } from "../../src/graph/journal.js";
import { toRunFile, writeRunFile } from "../../src/graph/runfile.js";
import { Runtime } from "../../src/graph/runtime.js";
import { loadScenario, parseScenario, type Scenario } from "../../src/graph/scenario.js";
import { LeakMessageGuard } from "../../src/guards/privacy/message-guard.js";
import { ScriptedModel } from "../../src/testing/index.js";

vi.setConfig({ testTimeout: 60_000 });

const dir = mkdtempSync(join(tmpdir(), "quorum-leaks-"));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

const SCENARIOS = ["scenarios/canary-payroll.yaml", "scenarios/canary-support.yaml"];

async function runScenario(
  file: string,
  options: { guards: boolean; includePrivate?: boolean },
): Promise<{ scenario: Scenario; path: string; report: AuditReport; finalAnswer: string | null }> {
  const declared = loadScenario(file);
  expect(declared.guards.leak).toBe(true);
  // Guards on: as the scenario declares them (what `quorum run` does); off: the same scenario without.
  const scenario = options.guards ? declared : { ...declared, guards: { ...declared.guards, leak: false } };
  const team = teamFromScenario(scenario);
  const tag = `${scenario.name}-${options.guards ? "g" : "n"}${options.includePrivate ? "p" : ""}`;
  const result = await team.run(scenario.task, { threadId: `thread-${tag}`, runId: `run-${tag}` });
  expect(result.status).toBe("finished");
  const run = toRunFile(result, {
    task: scenario.task,
    agents: team.agentNames,
    scenario: file,
    ...(options.includePrivate ? { includePrivate: true } : {}),
  });
  const path = writeRunFile(dir, run);
  const report = await auditRunFile(path);
  return { scenario, path, report, finalAnswer: result.finalAnswer };
}

const found = (r: AuditReport, channel: string) =>
  r.channels.find((c) => c.channel === channel)?.findings ?? [];

describe.each(SCENARIOS)("%s", (file) => {
  it("declares canaries with their audiences", () => {
    const canaries = scenarioCanaries(loadScenario(file));
    expect(canaries.length).toBeGreaterThanOrEqual(4);
    for (const c of canaries) expect(c.allowed?.length).toBeGreaterThan(0);
  });

  it("with guards on: no canary in any channel, and the run still finishes", async () => {
    const { report, finalAnswer } = await runScenario(file, { guards: true });
    expect(report.canaries.length).toBeGreaterThanOrEqual(4);
    for (const c of report.channels) {
      if (c.channel === "logs") continue; // covered below: team runs log through the runtime
      expect(c.checked, c.channel).toBe(true);
      expect(c.findings, c.channel).toEqual([]);
    }
    expect(report.clean).toBe(true);
    expect(finalAnswer).toContain("[withheld]");
  });

  it("with guards off: the saved run and its traces hold no canary, redaction following provenance", async () => {
    const { report, path } = await runScenario(file, { guards: false });
    for (const channel of ["run-file", "trace-json", "trace-html", "trace-dot", "trace-mermaid"]) {
      expect(found(report, channel), channel).toEqual([]);
    }
    // The items that repeated a private value are marked where it was taken out.
    const saved = JSON.parse(readFileSync(path, "utf8")) as { items: Array<{ labels: string[] }> };
    expect(saved.items.filter((i) => i.labels.includes(REPEATED_PRIVATE_LABEL)).length).toBeGreaterThan(0);
    // The private record (the user's opt-in) shows the audit where the canaries went.
    const opted = await runScenario(file, { guards: false, includePrivate: true });
    expect(opted.report.clean).toBe(false);
    for (const channel of ["messages", "run-file"]) {
      expect(found(opted.report, channel).length, channel).toBeGreaterThan(0);
    }
    // The report names canaries by where they were declared, never by value.
    const text = JSON.stringify(opted.report);
    for (const c of scenarioCanaries(loadScenario(file))) expect(text).not.toContain(c.value);
  });

  it("opting in keeps private values in the run file only, and says so", async () => {
    const { report } = await runScenario(file, { guards: true, includePrivate: true });
    expect(report.includesPrivate).toBe(true);
    expect(found(report, "run-file").length).toBeGreaterThan(0);
    // Kept in the file at the user's request, but never delivered outside the audience.
    expect(found(report, "messages")).toEqual([]);
    expect(found(report, "memory")).toEqual([]);
    // The trace export is redacted by default, whatever the run file keeps.
    for (const f of ["trace-json", "trace-dot", "trace-mermaid", "trace-html"])
      expect(found(report, f), f).toEqual([]);
  });
});

describe("channels the team scenarios do not reach", () => {
  const SECRET = "CANARY-PIN-4417-QX";
  const canaries: Canary[] = [{ id: "pin", value: SECRET, allowed: ["keeper"] }];

  function captureLog(includePrivate = false) {
    const chunks: string[] = [];
    const destination = new Writable({
      write(chunk, _enc, done) {
        chunks.push(String(chunk));
        done();
      },
    });
    const logger = createLogger({ level: "trace", destination, includePrivate });
    return { logger, text: () => chunks.join("") };
  }

  /** Writes, reads, sends, a tool call and a failing private tool, all carrying the canary. */
  async function exercise(runtime: Runtime) {
    runtime.memory.write("keeper", 1, "pin", SECRET, { audience: ["keeper"], sensitivity: "private" });
    runtime.memory.read("keeper", 1, "pin");
    runtime.memory.read("clerk", 1, "pin");
    runtime.logger.info({ content: SECRET, args: { pin: SECRET }, value: SECRET }, "agent said");
    await runtime.send({ from: "keeper", to: ["clerk"], step: 2, content: `the pin is ${SECRET}` });
    const vault = defineTool({
      name: "vault",
      description: "private lookup",
      schema: z.object({ key: z.string() }),
      resultSensitivity: "private",
      run: ({ key }) => {
        throw new Error(`no entry for ${key} (${SECRET})`);
      },
    });
    await runtime.callTool("keeper", 3, vault, { key: "door" }, { idempotencyKey: "v1" });
  }

  it("logs (pino, redaction on by default) and error messages stay clean; opting in shows the canary", async () => {
    const clean = captureLog();
    const guarded = new Runtime({
      runId: "logs",
      logger: clean.logger,
      guards: {
        message: [
          new LeakMessageGuard({
            mode: "redact",
            items: [{ id: "pin", owner: "keeper", value: SECRET, key: "pin" }],
          }),
        ],
      },
    });
    await exercise(guarded);
    const snapshot = guarded.log.snapshot();
    const run = {
      ...toRunFile(
        {
          runId: "logs",
          threadId: "logs",
          status: "finished",
          reason: null,
          finalAnswer: null,
          items: snapshot.items,
          events: snapshot.events,
          usage: guarded.meter.totals,
        },
        { task: "t", agents: ["keeper", "clerk"] },
      ),
    };
    const report = auditRun({
      run,
      runFileText: JSON.stringify(run),
      canaries,
      exports: {},
      logText: clean.text(),
    });
    expect(clean.text().length).toBeGreaterThan(0);
    expect(report.channels.find((c) => c.channel === "logs")).toEqual({
      channel: "logs",
      checked: true,
      findings: [],
    });
    expect(found(report, "errors")).toEqual([]);
    expect(found(report, "run-file")).toEqual([]);
    expect(found(report, "messages")).toEqual([]);
    expect(report.clean).toBe(true);
    // The denied read is recorded, never served.
    expect(snapshot.events.some((e) => e.type === "denied" && e.agent === "clerk")).toBe(true);

    const optedIn = captureLog(true);
    await exercise(new Runtime({ runId: "logs2", logger: optedIn.logger }));
    const leaky = auditRun({ run, runFileText: "", canaries, exports: {}, logText: optedIn.text() });
    expect(found(leaky, "logs").length).toBeGreaterThan(0);
  });

  it("tool arguments to outside sinks and memory readable by others are reported", () => {
    const run = toRunFile(
      {
        runId: "r",
        threadId: "t",
        status: "finished",
        reason: null,
        finalAnswer: `done: ${SECRET}`,
        items: [
          {
            id: "c1",
            runId: "r",
            step: 1,
            author: "clerk",
            kind: "tool_call",
            content: { tool: "send_email", args: { text: `pin ${SECRET}` } },
            audience: ["clerk"],
            sensitivity: "internal",
            labels: [],
            derivedFrom: [],
          },
          {
            id: "c2",
            runId: "r",
            step: 1,
            author: "clerk",
            kind: "tool_call",
            content: { tool: "lookup", args: { q: SECRET } },
            audience: ["clerk"],
            sensitivity: "internal",
            labels: [],
            derivedFrom: [],
          },
          {
            id: "m1",
            runId: "r",
            step: 1,
            author: "keeper",
            kind: "memory_write",
            content: { key: "pin", value: SECRET },
            audience: ["*"],
            sensitivity: "internal",
            labels: [],
            derivedFrom: [],
          },
        ],
        events: [],
        usage: { modelCalls: 0, inputTokens: 0, outputTokens: 0, byAgent: {} },
      },
      { task: "t", agents: [] },
    );
    const report = auditRun({
      run,
      runFileText: JSON.stringify(run),
      canaries,
      exports: {},
      tools: [
        { name: "send_email", outside: true },
        { name: "lookup", outside: false },
      ],
    });
    expect(found(report, "tool-arguments")).toEqual([{ canary: "pin", where: "c1: clerk calls send_email" }]);
    expect(found(report, "memory")).toEqual([{ canary: "pin", where: "m1 (key pin) readable by *" }]);
    expect(found(report, "messages")).toEqual([{ canary: "pin", where: "final answer to user" }]);
    expect(report.channels.find((c) => c.channel === "logs")?.checked).toBe(false);
  });

  it("finds undeclared CANARY-... tokens and values given on the command line", () => {
    const run = toRunFile(
      {
        runId: "r",
        threadId: "t",
        status: "failed",
        reason: "gave up on CANARY-OTHER-99Z",
        finalAnswer: null,
        items: [],
        events: [],
        usage: { modelCalls: 0, inputTokens: 0, outputTokens: 0, byAgent: {} },
      },
      { task: "t", agents: [] },
    );
    const report = auditRun({
      run,
      runFileText: `{"x": "hunter2-pass"}`,
      canaries: valueCanaries(["hunter2-pass"]),
      exports: {},
    });
    expect(found(report, "errors")[0]?.canary).toMatch(/^undeclared CA…9Z/);
    expect(found(report, "run-file")).toEqual([{ canary: "canary#1", where: "line 1" }]);
    expect(REDACTED).toBe("[redacted]");
    // Short values are not half given away by the report.
    expect(masked("EUR 91,250")).toBe("********** (10 chars)");
    expect(masked("CANARY-OTHER-99Z")).toBe("CA…9Z (16 chars)");
  });
});

describe("auditRunFile refuses bad input with a located error", () => {
  it("not JSON, not a run file", async () => {
    const bad = join(dir, "bad.json");
    writeFileSync(bad, "{ nope");
    await expect(auditRunFile(bad)).rejects.toMatchObject({ code: "user_input", file: bad, field: "(root)" });
    writeFileSync(bad, JSON.stringify({ format: "quorum.run", version: 1 }));
    await expect(auditRunFile(bad)).rejects.toMatchObject({ code: "user_input", file: bad, field: "runId" });
    await expect(auditRunFile(join(dir, "missing.json"))).rejects.toMatchObject({ code: "user_input" });
  });
});

/** A model-mode specialist reads a private code and then tries to email it out. */
const SINK_SCENARIO = `version: 1
name: sink
task: Check the door status and email the facilities desk.
agents:
  - { name: planner, role: planner }
  - { name: clerk, role: specialist, tools: [vault, send_email] }
  - { name: verifier, role: verifier }
  - { name: supervisor, role: supervisor }
tools:
  - name: vault
    args: { key: string }
    sensitivity: private
    results: [{ value: { code: CANARY-DOOR-5521-QZ } }]
  - name: send_email
    effects: [sends_outside]
    sinks: [email]
    args: { to: string, text: string }
    results: [{ value: { sent: true } }]
plan:
  - { id: door, assignee: clerk, description: check the door and tell facilities }
final: { answer: "{{door}}" }
`;

describe("tool arguments to outside sinks (model-mode specialist)", () => {
  async function run(guards: boolean, includePrivate = false) {
    const scenario = parseScenario(SINK_SCENARIO, "sink.yaml");
    const model = new ScriptedModel({
      replies: [
        { toolCalls: [{ name: "vault", args: { key: "door" } }] },
        {
          toolCalls: [
            { name: "send_email", args: { to: "desk@example.org", text: "door code CANARY-DOOR-5521-QZ" } },
          ],
        },
        "Door checked; facilities told.",
      ],
    });
    const journal = new InMemoryToolJournal();
    const team = teamFromScenario(scenario, {
      journal,
      overrides: { specialist: () => new ModelSpecialist(model) },
      ...(guards ? { guards: canaryGuards(scenario) } : {}),
    });
    const result = await team.run(scenario.task, {
      threadId: `thread-sink-${guards}-${includePrivate}`,
      runId: `run-sink-${guards}-${includePrivate}`,
    });
    model.assertComplete();
    const run = toRunFile(result, { task: scenario.task, agents: team.agentNames, includePrivate });
    const report = auditRun({
      run,
      runFileText: JSON.stringify(run, null, 2),
      canaries: scenarioCanaries(scenario),
      exports: {},
      tools: [
        { name: "vault", outside: false },
        { name: "send_email", outside: true },
      ],
    });
    return { result, report, journal };
  }

  it("with guards on, the call is blocked before the tool runs and recorded withheld", async () => {
    const { result, report, journal } = await run(true);
    expect(journal.count("send_email")).toBe(0);
    expect(
      result.events.some((e) => e.type === "tool" && e.tool === "send_email" && e.status === "blocked"),
    ).toBe(true);
    const call = result.items.find((i) => i.kind === "tool_call" && i.labels.includes("withheld"));
    expect(call?.sensitivity).toBe("private");
    expect(call?.audience).toEqual(["clerk"]);
    expect(report.clean, JSON.stringify(report.channels)).toBe(true);
  });

  it("with guards off, the audit of the private record finds the canary in the tool arguments", async () => {
    const { report, journal } = await run(false, true);
    expect(journal.count("send_email")).toBe(1);
    expect(found(report, "tool-arguments")).toHaveLength(1);
    expect(found(report, "run-file").length).toBeGreaterThan(0);
    // The default run file takes the canary out of the call that repeated it.
    const redacted = await run(false);
    expect(found(redacted.report, "tool-arguments")).toEqual([]);
    expect(found(redacted.report, "run-file")).toEqual([]);
  });
});

describe("guards.leak in the scenario format", () => {
  it("defaults to off and refuses anything but a boolean, naming the field", () => {
    const base = SINK_SCENARIO;
    expect(parseScenario(base, "s.yaml").guards).toEqual({ plan: "none", leak: false, trusted: [] });
    expect(parseScenario(`${base}guards: { leak: true }\n`, "s.yaml").guards.leak).toBe(true);
    expect(() => parseScenario(`${base}guards: { leak: "yes" }\n`, "s.yaml")).toThrow(
      expect.objectContaining({ code: "user_input", file: "s.yaml", field: "guards.leak" }),
    );
  });
});
