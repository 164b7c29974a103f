// Issue 21 point 8: redaction follows provenance. What is derived from a private item (a step
// output or final answer repeating a private tool result) is saved and exported without the
// private values, unless the user opts in; pino logs censor private fields at any depth.
import { Writable } from "node:stream";
import { describe, expect, it } from "vitest";
import { z } from "zod";
import {
  RuleVerifier,
  ScriptedPlanner,
  ScriptedSpecialist,
  TemplateSupervisor,
} from "../../src/agents/index.js";
import {
  createLogger,
  defineTool,
  REPEATED_PRIVATE_LABEL,
  redactByProvenance,
} from "../../src/core/index.js";
import { createTeam, toRunFile } from "../../src/graph/index.js";
import { exportTrace, parseRunFile, TRACE_FORMATS, traceRun } from "../../src/trace/index.js";

const CODE = "ZX-4471-QP";
const SECRETS = [CODE, "91,250", "91250", "ada.lovelace@example.org"];

const payroll = defineTool({
  name: "payroll",
  description: "private payroll record",
  schema: z.object({}),
  resultSensitivity: "private",
  run: () => ({ salary: 91250, code: CODE, contact: "ada.lovelace@example.org", grade: "B" }),
});

function team() {
  return createTeam({
    planner: {
      name: "planner",
      impl: new ScriptedPlanner([
        {
          steps: [
            {
              id: "pay",
              assignee: "clerk",
              description: "pay",
              toolCalls: [{ tool: "payroll", args: {} }],
              dependsOn: [],
            },
          ],
        },
      ]),
    },
    specialists: [
      {
        name: "clerk",
        impl: new ScriptedSpecialist({
          pay: ["salary {{0.salary}} (91,250 a year), code {{0.code}}, mail {{0.contact}}, grade Bold"],
        }),
        tools: [payroll],
      },
    ],
    verifier: { name: "verifier", impl: new RuleVerifier() },
    supervisor: { name: "supervisor", impl: new TemplateSupervisor({ template: "Done: {{pay}}" }) },
  });
}

// The task names the code too: it did not come from the private record, so it is not taken out.
const TASK = `Check payroll entry ${CODE} and report it`;

describe("redaction follows provenance", () => {
  it("the run file and every trace export drop private values from derived items", async () => {
    const result = await team().run(TASK, { threadId: "red-1" });
    expect(result.status).toBe("finished");
    expect(result.finalAnswer).toContain(CODE);
    const run = toRunFile(result, { task: TASK, agents: [] });
    const derived = run.items.filter((i) => i.kind === "step_output" || i.kind === "final_answer");
    expect(derived.length).toBeGreaterThanOrEqual(2);
    for (const item of derived) {
      expect(item.labels).toContain(REPEATED_PRIVATE_LABEL);
      for (const s of SECRETS) expect(JSON.stringify(item.content)).not.toContain(s);
      // What was not private stays readable.
      expect(JSON.stringify(item.content)).toContain("grade Bold");
    }
    for (const s of SECRETS) expect(run.finalAnswer ?? "").not.toContain(s);
    const task = run.items.find((i) => i.kind === "task");
    expect(task?.content).toBe(TASK);
    const input = parseRunFile(JSON.parse(JSON.stringify(run)), "run.json");
    const traced = await traceRun(input);
    for (const format of TRACE_FORMATS) {
      const text = exportTrace(traced.view, format);
      // The code is in the task too (not from the record), so exports may show it there.
      for (const s of ["ada.lovelace", "91,250", "91250"]) expect(text, format).not.toContain(s);
    }
  });

  it("opting in keeps them", async () => {
    const result = await team().run(TASK, { threadId: "red-2" });
    const run = toRunFile(result, { task: TASK, agents: [], includePrivate: true });
    const text = JSON.stringify(run);
    for (const s of SECRETS) expect(text).toContain(s);
  });

  it("only descendants are scrubbed, whole words only", () => {
    const base = { runId: "r", step: 1, author: "a", audience: ["*"], labels: [] as string[] };
    const items = [
      {
        ...base,
        id: "p",
        kind: "tool_result" as const,
        content: { name: "Ada" },
        sensitivity: "private" as const,
        derivedFrom: [],
      },
      {
        ...base,
        id: "child",
        kind: "message" as const,
        content: "Ada and Adams",
        sensitivity: "internal" as const,
        derivedFrom: ["p"],
      },
      {
        ...base,
        id: "grandchild",
        kind: "message" as const,
        content: ["to Ada"],
        sensitivity: "internal" as const,
        derivedFrom: ["child"],
      },
      {
        ...base,
        id: "other",
        kind: "message" as const,
        content: "Ada",
        sensitivity: "internal" as const,
        derivedFrom: [],
      },
    ];
    const { items: out } = redactByProvenance(items);
    expect(out.map((i) => i.content)).toEqual([
      "[redacted]:private",
      "[redacted] and Adams",
      ["to [redacted]"],
      "Ada",
    ]);
  });
});

describe("pino redaction at any depth", () => {
  it("censors private fields nested deep and error messages, keeps ids", () => {
    const CANARY = "CANARY-deep-5521";
    const lines: string[] = [];
    const stream = new Writable({
      write(chunk, _enc, cb) {
        lines.push(String(chunk));
        cb();
      },
    });
    const log = createLogger({ level: "debug", destination: stream });
    log.info(
      {
        data: { item: { id: "i7", content: CANARY } },
        error: { message: `failed with ${CANARY}` },
        a: { b: { c: { d: { args: { iban: CANARY } } } } },
        list: [{ result: CANARY }],
        err: new Error(`boom ${CANARY}`),
      },
      "event",
    );
    const out = lines.join("");
    expect(out).toContain("i7");
    expect(out).not.toContain(CANARY);
    const opted: string[] = [];
    createLogger({
      level: "debug",
      includePrivate: true,
      destination: new Writable({
        write(chunk, _enc, cb) {
          opted.push(String(chunk));
          cb();
        },
      }),
    }).info({ data: { item: { content: CANARY } } }, "event");
    expect(opted.join("")).toContain(CANARY);
  });
});
