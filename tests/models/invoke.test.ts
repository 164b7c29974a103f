import { HumanMessage, SystemMessage } from "@langchain/core/messages";
import { describe, expect, it } from "vitest";
import { z } from "zod";
import { ModelError } from "../../src/core/index.js";
import { Runtime } from "../../src/graph/runtime.js";
import {
  extractJson,
  invokeForAgent,
  invokeStructured,
  ModelCallError,
  type ModelRecorder,
  streamForAgent,
  UsageMeter,
} from "../../src/models/index.js";
import { ScriptedModel } from "../../src/testing/index.js";

const Verdict = z.object({ pass: z.boolean(), reasons: z.array(z.string()) });

function capture(): ModelRecorder & { calls: unknown[][] } {
  const calls: unknown[][] = [];
  return { calls, recordModelCall: (...args: unknown[]) => void calls.push(args) };
}

describe("invokeForAgent", () => {
  it("passes the agent to the model and records the usage it reports", async () => {
    const model = new ScriptedModel({
      name: "scripted-x",
      byAgent: { triage: [{ content: "db-1 is down", usage: { inputTokens: 40, outputTokens: 6 } }] },
    });
    const recorder = capture();
    const reply = await invokeForAgent(model, [new HumanMessage("status?")], {
      agent: "triage",
      step: 3,
      recorder,
    });
    expect(reply.text).toBe("db-1 is down");
    expect(recorder.calls).toEqual([["triage", 3, "scripted-x", 40, 6]]);
  });

  it("adds up per agent in a UsageMeter and in the Runtime's log", async () => {
    const model = new ScriptedModel({
      replies: [
        { content: "a", usage: { inputTokens: 10, outputTokens: 1 } },
        { content: "b", usage: { inputTokens: 20, outputTokens: 2 } },
        { content: "c", usage: { inputTokens: 30, outputTokens: 3 } },
      ],
    });
    const meter = new UsageMeter();
    await invokeForAgent(model, [new HumanMessage("1")], { agent: "planner", step: 1, recorder: meter });
    await invokeForAgent(model, [new HumanMessage("2")], { agent: "planner", step: 2, recorder: meter });
    const runtime = new Runtime({ runId: "run-usage" });
    await invokeForAgent(model, [new HumanMessage("3")], { agent: "verifier", step: 4, recorder: runtime });
    expect(meter.totals).toEqual({
      modelCalls: 2,
      inputTokens: 30,
      outputTokens: 3,
      byAgent: { planner: { modelCalls: 2, inputTokens: 30, outputTokens: 3 } },
    });
    expect(runtime.meter.tokens).toBe(33);
    const events = runtime.log.events({ runId: "run-usage", type: "model_call" });
    expect(events).toMatchObject([
      { agent: "verifier", step: 4, model: "scripted", inputTokens: 30, outputTokens: 3 },
    ]);
  });

  it("turns a failure into a ModelError naming the agent and step, and records nothing", async () => {
    const model = new ScriptedModel({ replies: [{ error: "socket hang up" }] });
    const recorder = capture();
    const error = await invokeForAgent(model, [new HumanMessage("x")], {
      agent: "critic",
      step: 7,
      recorder,
    }).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(ModelError);
    expect(error).toMatchObject({ agent: "critic", step: 7, code: "model" });
    expect((error as ModelError).toLine()).toContain("(agent critic, step 7)");
    expect((error as Error).message).toContain("socket hang up");
    expect(recorder.calls).toEqual([]);
  });

  it("reports an unexpected call to a scripted model as a ModelError too", async () => {
    const error = await invokeForAgent(new ScriptedModel(), [new HumanMessage("x")], {
      agent: "a",
      step: 1,
    }).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(ModelCallError);
    expect((error as Error).message).toContain("no reply queued");
  });
});

describe("streamForAgent", () => {
  it("hands tokens to onToken and records usage", async () => {
    const model = new ScriptedModel({
      byAgent: { fixer: [{ content: "rotated logs", usage: { inputTokens: 3, outputTokens: 2 } }] },
    });
    const tokens: string[] = [];
    const recorder = capture();
    const r = await streamForAgent(model, [new HumanMessage("fix")], {
      agent: "fixer",
      step: 5,
      recorder,
      onToken: (t) => tokens.push(t),
    });
    expect(r.text).toBe("rotated logs");
    expect(tokens.join("")).toBe("rotated logs");
    expect(recorder.calls).toEqual([["fixer", 5, "scripted", 3, 2]]);
  });

  it("names agent and step when the model fails", async () => {
    const model = new ScriptedModel({ replies: [{ error: "boom" }] });
    await expect(
      streamForAgent(model, [new HumanMessage("x")], { agent: "fixer", step: 6 }),
    ).rejects.toMatchObject({
      agent: "fixer",
      step: 6,
      code: "model",
    });
  });
});

describe("invokeStructured", () => {
  const prompt = [
    new SystemMessage("Judge the step. Reply in JSON."),
    new HumanMessage("step s1: restarted web-2"),
  ];

  it("parses a valid reply on the first try", async () => {
    const model = new ScriptedModel({
      replies: [{ structured: { pass: true, reasons: ["web-2 healthy"] } }],
    });
    const r = await invokeStructured(model, prompt, Verdict, { agent: "verifier", step: 2 });
    expect(r.value).toEqual({ pass: true, reasons: ["web-2 healthy"] });
    expect(r.attempts).toBe(1);
  });

  it("repairs a malformed reply with one retry that carries the validation error", async () => {
    const model = new ScriptedModel({
      replies: [
        '{"pass": "yes", "reasons": []}',
        '```json\n{"pass": false, "reasons": ["web-2 still 500s"]}\n```',
      ],
    });
    const meter = new UsageMeter();
    const r = await invokeStructured(model, prompt, Verdict, { agent: "verifier", step: 2, recorder: meter });
    expect(r.value).toEqual({ pass: false, reasons: ["web-2 still 500s"] });
    expect(r.attempts).toBe(2);
    const second = model.calls[1]?.messages ?? [];
    expect(second).toHaveLength(4);
    expect(second[2]?.content).toBe('{"pass": "yes", "reasons": []}');
    expect(String(second[3]?.content)).toContain("pass: ");
    expect(String(second[3]?.content)).toContain("expected boolean");
    expect(meter.totals.modelCalls).toBe(2);
  });

  it("fails typed, naming agent and step, when the repair is malformed too", async () => {
    const model = new ScriptedModel({ replies: ["I think it passed.", '{"pass": true}'] });
    const error = await invokeStructured(model, prompt, Verdict, { agent: "verifier", step: 5 }).catch(
      (e: unknown) => e,
    );
    expect(error).toBeInstanceOf(ModelCallError);
    expect(error).toMatchObject({ agent: "verifier", step: 5, failure: "invalid_output", attempts: 2 });
    expect((error as Error).message).toContain("reasons");
    expect(String(model.calls[1]?.messages[3]?.content)).toContain("not JSON");
    model.assertComplete();
  });
});

describe("extractJson", () => {
  it("finds JSON in plain, fenced and prose-wrapped replies", () => {
    expect(extractJson('{"a": 1}')).toEqual({ a: 1 });
    expect(extractJson('Here you go:\n```json\n{"a": [1, 2]}\n```\nDone.')).toEqual({ a: [1, 2] });
    expect(extractJson('Sure! {"a": {"b": "c"}} Anything else?')).toEqual({ a: { b: "c" } });
    expect(extractJson("[1, 2, 3]")).toEqual([1, 2, 3]);
    expect(() => extractJson("no json here")).toThrow(SyntaxError);
  });
});
