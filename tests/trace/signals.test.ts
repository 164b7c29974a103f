import { describe, expect, it } from "vitest";
import { EventLog, type Item } from "../../src/core/index.js";
import {
  buildIdg,
  findRootCause,
  hedgeIn,
  type IdgNode,
  localSignalsOf,
  stallIn,
  type TraceInput,
  toolErrorIn,
} from "../../src/trace/index.js";

function node(text: string, role: IdgNode["role"] = "agent"): IdgNode {
  const item: Item = {
    id: "n",
    runId: "r",
    step: 0,
    author: "a",
    kind: role === "tool" ? "tool_result" : "message",
    content: text,
    audience: ["*"],
    sensitivity: "internal",
    labels: [],
    derivedFrom: [],
  };
  return { id: "n", index: 0, step: 0, agent: "a", role, item, text };
}

describe("local signals", () => {
  it("reads signal words only where they are affirmed", () => {
    expect(stallIn(node("We are not in a loop; progress is steady."))).toBeNull();
    expect(stallIn(node("We keep going round in a loop here."))).toMatch(/in a loop/);
    expect(hedgeIn(node("No assumption was made."))).toBeNull();
    expect(hedgeIn(node("Assuming the rate is 4%, the total is 312."))).toMatch(/Assuming/);
  });

  it("tells an agent's own failed action from a monitor's judgement of someone else's", () => {
    const own = localSignalsOf(node("I was unable to access the archive page, so I will estimate."), true);
    expect(own.map((x) => x.kind)).toContain("failed_action");
    const monitor = localSignalsOf(node("The search results were not found on the page."), true);
    expect(monitor.map((x) => x.kind)).toEqual(["stall"]);
  });

  it("reads structured progress and loop flags", () => {
    expect(stallIn(node('{"is_progress_being_made": {"reason": "same page", "answer": false}}'))).toBe(
      "marks progress as false",
    );
    expect(stallIn(node('{"loop_detected": true}'))).toBe("marks the run as looping");
    expect(stallIn(node('{"progress": {"reason": "new data", "answer": true}}'))).toBeNull();
  });

  it("ignores interpreter warnings printed into a transcript", () => {
    const text =
      "Result ready.\n/opt/lib/agent.py:55: UserWarning: mapping may be incorrect.\n  call()\nDone.";
    expect(localSignalsOf(node(text), true)).toEqual([]);
  });

  it("recognises crashes and non-zero exits in tool output, not clean runs", () => {
    expect(toolErrorIn(node("exitcode: 1 (execution failed)", "tool"))).toMatch(/exitcode: 1/);
    expect(toolErrorIn(node("Traceback (most recent call last):\nValueError: bad", "tool"))).not.toBeNull();
    expect(toolErrorIn(node("exitcode: 0 (execution succeeded)\nCode output: 42", "tool"))).toBeNull();
  });
});

function runInput(log: EventLog, runId: string, status: string): TraceInput {
  return {
    source: "run",
    origin: "test",
    task: "t",
    items: log.items({ runId }),
    events: log.events({ runId }),
    finalAnswer: null,
    status,
  };
}

describe("symptoms of our own runs", () => {
  it("a blocked plan blames the plan", () => {
    const log = new EventLog();
    const task = log.add("r", { step: 0, author: "user", kind: "task", content: "pay the invoice" });
    const plan = log.add("r", {
      step: 1,
      author: "planner",
      kind: "plan",
      content: { steps: ["send 9000 to an unknown account"] },
      derivedFrom: [task.id],
    });
    const verdict = log.add("r", {
      step: 1,
      author: "guard:plan-rules",
      kind: "verdict",
      content: {
        guard: "plan-rules",
        hook: "plan",
        decision: "block",
        flagged: true,
        rationale: "sends 9000 to an unverified payee",
      },
      derivedFrom: [plan.id],
    });
    const input = runInput(log, "r", "blocked");
    const report = findRootCause(input, buildIdg(input));
    expect(report.symptom?.kind).toBe("blocked_plan");
    expect(report.symptom?.itemId).toBe(verdict.id);
    expect(report.rootCause?.itemId).toBe(plan.id);
    expect(report.rootCause?.reasons[0]?.signal).toBe("blocked");
    // A block is not an answer: the values it quotes are not traced as a wrong answer's origin.
    expect(report.rootCause?.reasons.map((r) => r.signal)).not.toContain("wrong_value_origin");
  });

  it("a tool error blames the call that was made, found through the exact edge", () => {
    const log = new EventLog();
    const task = log.add("r", { step: 0, author: "user", kind: "task", content: "convert the file" });
    const note = log.add("r", {
      step: 1,
      author: "planner",
      kind: "plan",
      content: "convert",
      derivedFrom: [task.id],
    });
    const call = log.add("r", {
      step: 2,
      author: "coder",
      kind: "tool_call",
      content: { tool: "convert", args: { path: "missing.txt" } },
      derivedFrom: [note.id],
    });
    log.add("r", {
      step: 2,
      author: "tool:convert",
      kind: "tool_result",
      content: { error: "no such file: missing.txt" },
      labels: ["error"],
      derivedFrom: [call.id],
    });
    const input = runInput(log, "r", "failed");
    const report = findRootCause(input, buildIdg(input));
    expect(report.rootCause?.itemId).toBe(call.id);
    expect(report.rootCause?.agent).toBe("coder");
    expect(report.symptoms.map((s) => s.kind)).toContain("tool_error");
  });

  it("a finished run with nothing wrong has no symptom and no root cause, unless the ground truth says so", () => {
    const log = new EventLog();
    const task = log.add("r", {
      step: 0,
      author: "user",
      kind: "task",
      content: "name the capital of Freedonia",
    });
    log.add("r", {
      step: 1,
      author: "writer",
      kind: "final_answer",
      content: "Fredville",
      derivedFrom: [task.id],
    });
    const input = { ...runInput(log, "r", "finished"), finalAnswer: "Fredville" };
    const report = findRootCause(input, buildIdg(input));
    expect(report.symptom).toBeNull();
    expect(report.rootCause).toBeNull();
    const wrong = findRootCause(input, buildIdg(input), { groundTruth: "Grand Duchy City" });
    expect(wrong.symptom?.kind).toBe("wrong_final_answer");
    expect(wrong.rootCause?.agent).toBe("writer");
  });
});
