import { HumanMessage } from "@langchain/core/messages";
import { Annotation, END, MemorySaver, Send, START, StateGraph } from "@langchain/langgraph";
import { FakeChatModel } from "../../lib/fake-chat-model.js";
import { SPECIALISTS, type Variant } from "../variant.js";

const State = Annotation.Root({
  task: Annotation<string>(),
  plan: Annotation<string[]>({ reducer: (_a, b) => b, default: () => [] }),
  outputs: Annotation<string[]>({ reducer: (a, b) => a.concat(b), default: () => [] }),
  verdict: Annotation<string | null>({ reducer: (_a, b) => b, default: () => null }),
});

/** Builds the bare graph; `checkpoint` adds LangGraph's in-memory checkpointer. */
export function bareGraph(checkpoint: boolean) {
  const model = new FakeChatModel((messages) => ({
    content: `ok:${String(messages[0]?.content).slice(0, 16)}`,
  }));
  const graph = new StateGraph(State)
    .addNode("supervisor", async (s: typeof State.State) => {
      await model.invoke([new HumanMessage(`route ${s.task}`)]);
      return {};
    })
    .addNode("planner", async (s: typeof State.State) => {
      await model.invoke([new HumanMessage(`plan ${s.task}`)]);
      return { plan: [...SPECIALISTS] };
    })
    .addNode("specialist", async (p: { task: string; who: string }) => {
      const r = await model.invoke([new HumanMessage(`${p.who}: ${p.task}`)]);
      return { outputs: [`${p.who}:${String(r.content)}`] };
    })
    .addNode("verifier", async (s: typeof State.State) => {
      await model.invoke([new HumanMessage(`verify ${s.outputs.join(",")}`)]);
      return { verdict: s.outputs.length === SPECIALISTS.length ? "pass" : "fail" };
    })
    .addEdge(START, "supervisor")
    .addEdge("supervisor", "planner")
    .addConditionalEdges("planner", (s: typeof State.State) =>
      s.plan.map((who) => new Send("specialist", { task: s.task, who })),
    )
    .addEdge("specialist", "verifier")
    .addEdge("verifier", END)
    .compile(checkpoint ? { checkpointer: new MemorySaver() } : {});
  return { graph, model };
}

export function stategraphVariant(checkpoint: boolean): Variant {
  return {
    name: checkpoint ? "stategraph" : "stategraph-nocheckpoint",
    notes: checkpoint
      ? "Bare LangGraph StateGraph (supervisor, planner, 3 specialists via Send, verifier), one fake-model invoke per node, in-memory checkpointer (MemorySaver); no provenance, no guards; each run's thread is deleted afterwards."
      : "The same bare StateGraph without a checkpointer.",
    async setup() {
      const { graph, model } = bareGraph(checkpoint);
      const saver = checkpoint ? (graph.checkpointer as MemorySaver) : undefined;
      return {
        async run(i) {
          const thread_id = `t${i}`;
          const out = await graph.invoke({ task: `task ${i}` }, { configurable: { thread_id } });
          if (out.verdict !== "pass") throw new Error("stategraph run did not pass");
          if (saver) await saver.deleteThread(thread_id);
        },
        modelCalls: () => model.totalCalls,
      };
    },
  };
}
