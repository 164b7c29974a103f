import type { AIMessage } from "@langchain/core/messages";
import { RunnableLambda } from "@langchain/core/runnables";
import type { StructuredToolInterface } from "@langchain/core/tools";
import { END, MessagesAnnotation, START, StateGraph } from "@langchain/langgraph";
import { ToolNode } from "@langchain/langgraph/prebuilt";
import { describe, expect, it } from "vitest";
import {
  contentOf,
  createTeam,
  RuleVerifier,
  RunnableSpecialist,
  ScriptedPlanner,
  type Specialist,
  TemplateSupervisor,
} from "../../src/index.js";
import { ScriptedModel } from "../../src/testing/index.js";
import { lookup } from "../graph/fixtures.js";

const step = {
  id: "a",
  assignee: "graphy",
  description: "get a",
  toolCalls: [{ tool: "lookup", args: { key: "a" } }],
  dependsOn: [],
};

function teamWith(impl: Specialist) {
  return createTeam({
    planner: { name: "planner", impl: new ScriptedPlanner([{ steps: [step] }]) },
    specialists: [{ name: "graphy", impl, tools: [lookup] }],
    verifier: { name: "verifier", impl: new RuleVerifier() },
    supervisor: { name: "supervisor", impl: new TemplateSupervisor({ template: "{{a}}" }) },
  });
}

/** A tool-calling agent as a LangGraph graph: a model node and the prebuilt ToolNode. */
function agentGraph(model: ScriptedModel, tools: StructuredToolInterface[]) {
  const bound = model.bindTools(tools);
  return new StateGraph(MessagesAnnotation)
    .addNode("model", async (s) => ({ messages: [await bound.invoke(s.messages)] }))
    .addNode("tools", new ToolNode(tools))
    .addEdge(START, "model")
    .addConditionalEdges("model", (s) =>
      (s.messages.at(-1) as AIMessage).tool_calls?.length ? "tools" : END,
    )
    .addEdge("tools", "model")
    .compile();
}

describe("a LangGraph graph as a specialist", () => {
  it("runs the graph, its tool calls going through the team's runtime, its nodes recorded", async () => {
    const model = new ScriptedModel({
      replies: [{ toolCalls: [{ name: "lookup", args: { key: "a" } }] }, "A is A, looked up"],
    });
    const r = await teamWith(new RunnableSpecialist({ runnable: (tools) => agentGraph(model, tools) })).run(
      "what is a",
    );
    expect(r.status).toBe("finished");
    expect(r.finalAnswer).toBe("A is A, looked up");
    model.assertComplete();
    // The call the graph's ToolNode made is the team's: recorded, by the specialist, with its result.
    const call = r.items.find((i) => i.kind === "tool_call" && i.author === "graphy");
    expect(contentOf(call, "tool_call")).toMatchObject({ tool: "lookup", args: { key: "a" } });
    const result = r.items.find((i) => i.kind === "tool_result" && i.derivedFrom.includes(call?.id ?? "?"));
    expect(result?.content).toEqual({ key: "a", value: "A" });
    // Each node update is a note of the specialist, in order, derived from what it had seen.
    const nodes = r.items.filter((i) => i.kind === "note" && i.author === "graphy").map((i) => i.labels[0]);
    expect(nodes).toEqual(["graph-node:model", "graph-node:tools", "graph-node:model"]);
    const task = r.items.find((i) => i.kind === "task");
    const firstNote = r.items.find((i) => i.kind === "note" && i.author === "graphy");
    expect(firstNote?.derivedFrom).toContain(task?.id);
    // The model calls inside the graph count for the specialist.
    expect(r.usage.modelCalls).toBe(2);
  });

  it("shows the graph a blocked call as an error, and runs no tool", async () => {
    const model = new ScriptedModel({
      replies: [{ toolCalls: [{ name: "lookup", args: { key: "a" } }] }, "could not look it up"],
    });
    let seen = "";
    const guarded = createTeam({
      planner: { name: "planner", impl: new ScriptedPlanner([{ steps: [step] }]) },
      specialists: [
        {
          name: "graphy",
          impl: new RunnableSpecialist({
            runnable: (tools) => agentGraph(model, tools),
            output: (state) => {
              const messages = (state as { messages: { content: unknown }[] }).messages;
              seen = String(messages.at(-2)?.content);
              return String(messages.at(-1)?.content);
            },
          }),
          tools: [lookup],
        },
      ],
      verifier: { name: "verifier", impl: new RuleVerifier() },
      supervisor: { name: "supervisor", impl: new TemplateSupervisor({ template: "{{a}}" }) },
      guards: {
        toolCall: [
          {
            name: "no-lookups",
            checkToolCall: () => ({
              guard: "no-lookups",
              hook: "tool_call",
              decision: "block",
              flagged: true,
              rationale: "lookups are off",
            }),
          },
        ],
      },
    });
    const r = await guarded.run("what is a");
    expect(r.finalAnswer).toBe("could not look it up");
    expect(seen).toContain("not allowed to run");
    expect(r.items.some((i) => i.kind === "tool_result")).toBe(false);
  });
});

describe("a plain Runnable as a specialist", () => {
  it("maps the step to the runnable's input and its result to the step output", async () => {
    const upper = RunnableLambda.from((s: string) => s.toUpperCase());
    const impl = new RunnableSpecialist({
      runnable: upper,
      input: (s) => `${s.step.id}: ${s.task}`,
    });
    const r = await teamWith(impl).run("what is a");
    expect(r.finalAnswer).toBe("A: WHAT IS A");
  });
});
