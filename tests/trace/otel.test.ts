// OpenTelemetry spans of team runs, through the real API and SDK with an in-memory exporter:
// one trace per run, one span per agent step, tool call and model call, in the GenAI
// conventions' names, and no private value in any attribute.
import {
  BasicTracerProvider,
  InMemorySpanExporter,
  type ReadableSpan,
  SimpleSpanProcessor,
} from "@opentelemetry/sdk-trace-base";
import { afterEach, describe, expect, it, vi } from "vitest";
import type { Specialist } from "../../src/agents/types.js";
import { agentStepOf, type RunEvent } from "../../src/core/index.js";
import { teamFromScenario } from "../../src/graph/from-scenario.js";
import { toRunFile } from "../../src/graph/runfile.js";
import { loadScenario } from "../../src/graph/scenario.js";
import { scenarioCanaries } from "../../src/graph/scenario-privacy.js";
import { createOtelObserver, spansOfRunFile } from "../../src/trace/index.js";
import { smallTeam, smallTeamSpecialists } from "../graph/fixtures.js";

vi.setConfig({ testTimeout: 30_000 });

function tracing() {
  const exporter = new InMemorySpanExporter();
  const provider = new BasicTracerProvider({ spanProcessors: [new SimpleSpanProcessor(exporter)] });
  return { exporter, tracer: provider.getTracer("quorum-test") };
}

/** Specialists that report one model call per step, as a model-backed agent does. */
const withModel = (inner: Specialist): Specialist => ({
  execute: async (input) => {
    input.env.recordModelCall("test-model", 12, 3);
    return inner.execute(input);
  },
});

const parentOf = (s: ReadableSpan) => s.parentSpanContext?.spanId;
const op = (s: ReadableSpan) => s.attributes["gen_ai.operation.name"];

/** Agent steps counted straight from the result's records: distinct (agent, step) pairs. */
function agentSteps(
  events: RunEvent[],
  items: Map<string, { author: string; step: number; kind: string; derivedFrom: string[] }>,
  agents: string[],
) {
  const lookup = (id: string) => items.get(id) as never;
  return new Set(
    events
      .map((e) => agentStepOf(e, lookup, new Set(agents)))
      .flatMap((a) => (a ? [`${a.agent}@${a.step}`] : [])),
  );
}

afterEach(() => vi.doUnmock("@opentelemetry/api"));

describe("OpenTelemetry spans", () => {
  it("one trace per run; invoke_agent per agent step, execute_tool per tool call, chat per model call", async () => {
    const { exporter, tracer } = tracing();
    const team = smallTeam({
      observers: [await createOtelObserver({ tracer, workflow: "small-team" })],
      specialists: smallTeamSpecialists(withModel),
    });
    const results = [await team.run("combine a and b"), await team.run("combine a and b")];
    const spans = exporter.getFinishedSpans();
    const traces = new Set(spans.map((s) => s.spanContext().traceId));
    expect(traces.size).toBe(2);
    for (const result of results) {
      const roots = spans.filter((s) => s.attributes["quorum.run.id"] === result.runId);
      expect(roots).toHaveLength(1);
      const root = roots[0] as ReadableSpan;
      expect(root.name).toBe("invoke_workflow small-team");
      expect(op(root)).toBe("invoke_workflow");
      expect(parentOf(root)).toBeUndefined();
      expect(root.attributes["gen_ai.conversation.id"]).toBe(result.threadId);
      expect(root.attributes["quorum.run.status"]).toBe("finished");
      const mine = spans.filter((s) => s.spanContext().traceId === root.spanContext().traceId);
      const agents = mine.filter((s) => op(s) === "invoke_agent");
      const items = new Map(result.items.map((i) => [i.id, i]));
      expect(agents).toHaveLength(agentSteps(result.events, items, team.agentNames).size);
      for (const a of agents) {
        expect(parentOf(a)).toBe(root.spanContext().spanId);
        expect(a.name).toBe(`invoke_agent ${a.attributes["gen_ai.agent.name"]}`);
      }
      const byId = new Map(mine.map((s) => [s.spanContext().spanId, s]));
      const tools = mine.filter((s) => op(s) === "execute_tool");
      expect(tools).toHaveLength(result.events.filter((e) => e.type === "tool").length);
      for (const t of tools) {
        const parent = byId.get(parentOf(t) ?? "");
        expect(op(parent as ReadableSpan)).toBe("invoke_agent");
        expect(parent?.attributes["gen_ai.agent.name"]).toBe(t.attributes["gen_ai.agent.name"]);
        expect(t.name).toBe(`execute_tool ${t.attributes["gen_ai.tool.name"]}`);
        expect(t.startTime <= t.endTime).toBe(true);
      }
      const chats = mine.filter((s) => op(s) === "chat");
      expect(chats).toHaveLength(result.events.filter((e) => e.type === "model_call").length);
      expect(chats.length).toBeGreaterThan(0);
      for (const c of chats) {
        expect(c.name).toBe("chat test-model");
        expect(c.attributes["gen_ai.usage.input_tokens"]).toBe(12);
        expect(c.attributes["gen_ai.usage.output_tokens"]).toBe(3);
        expect(op(byId.get(parentOf(c) ?? "") as ReadableSpan)).toBe("invoke_agent");
      }
      // Verifier verdicts and supervisor decisions are events on their agent's span.
      const verdicts = agents.flatMap((a) => a.events.filter((e) => e.name === "verifier.verdict"));
      expect(verdicts.length).toBe(result.items.filter((i) => i.kind === "verification").length);
    }
  });

  it("guard verdicts and blocked deliveries are span events with the reason, and no canary is in any attribute", async () => {
    const { exporter, tracer } = tracing();
    const scenario = loadScenario("scenarios/canary-payroll.yaml");
    const observer = await createOtelObserver({ tracer });
    const result = await teamFromScenario(scenario).run(scenario.task, {
      onEvent: (e) => observer.onEvent(e),
    });
    expect(result.status).toBe("finished");
    const spans = exporter.getFinishedSpans();
    const text = JSON.stringify(spans.map((s) => ({ n: s.name, a: s.attributes, e: s.events })));
    const canaries = scenarioCanaries(scenario);
    expect(canaries.length).toBeGreaterThanOrEqual(4);
    for (const c of canaries) expect(text.includes(c.value), c.id).toBe(false);
    const withheld = spans
      .flatMap((s) => s.events)
      .filter((e) => e.name === "message.blocked" || e.name === "message.redacted");
    expect(withheld.length).toBeGreaterThan(0);
    for (const e of withheld)
      expect((e.attributes?.["quorum.reasons"] as string[] | undefined)?.length).toBeGreaterThan(0);
    const verdicts = spans.flatMap((s) => s.events).filter((e) => e.name === "guard.verdict");
    expect(verdicts.some((v) => v.attributes?.["quorum.decision"] !== "allow")).toBe(true);
  });

  it("spans are exported while the run goes on, not only at its end", async () => {
    const { exporter, tracer } = tracing();
    const team = smallTeam({ observers: [await createOtelObserver({ tracer })] });
    let midway: string[] | undefined;
    await team.run("combine a and b", {
      onEvent: (e) => {
        if (e.type === "supervisor.decision" && midway === undefined)
          midway = exporter.getFinishedSpans().map((s) => s.name);
      },
    });
    expect(midway).toContain("invoke_agent planner");
    expect(midway).toContain("execute_tool lookup");
    expect(midway).not.toContain("invoke_workflow quorum-team");
  });

  it("a saved run gives the same span tree as the live run", async () => {
    const { exporter, tracer } = tracing();
    const team = smallTeam({ observers: [await createOtelObserver({ tracer })] });
    const result = await team.run("combine a and b");
    const live = exporter
      .getFinishedSpans()
      .map((s) => s.name)
      .sort();
    const saved = spansOfRunFile(toRunFile(result, { task: "t", agents: team.agentNames }), {
      workflow: "quorum-team",
    });
    expect(saved.map((s) => s.name).sort()).toEqual(live);
    expect(new Set(saved.map((s) => s.traceId)).size).toBe(1);
    const ids = new Set(saved.map((s) => s.spanId));
    for (const s of saved) if (s.parentSpanId !== undefined) expect(ids.has(s.parentSpanId)).toBe(true);
    expect(saved.filter((s) => s.parentSpanId === undefined)).toHaveLength(1);
  });

  it("without @opentelemetry/api installed the observer does nothing and the run is the same", async () => {
    vi.resetModules();
    vi.doMock("@opentelemetry/api", () => {
      throw new Error("Cannot find package '@opentelemetry/api'");
    });
    const { createOtelObserver: create } = await import("../../src/trace/otel/api.js");
    const observer = await create();
    expect(() =>
      observer.onEvent({ type: "run.started", seq: 0, runId: "r", step: 0, threadId: "t", resumed: false }),
    ).not.toThrow();
    const result = await smallTeam({ observers: [observer] }).run("combine a and b");
    expect(result.status).toBe("finished");
  });
});
