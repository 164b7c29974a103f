import { Annotation, Command, END, Send, START, StateGraph } from "@langchain/langgraph";
import { enableLeanRunContext, LEAN_RUN } from "../../../src/graph/run-context.js";
import { createMemoryCheckpointer } from "../../../src/graph/serde.js";
import { QUORUM_AGENT_STEPS } from "../quorum-team.js";
import { SPECIALISTS, type Variant } from "../variant.js";

const State = Annotation.Root({
  done: Annotation<number>({ reducer: (a, b) => a + b, default: () => 0 }),
});

/**
 * LangGraph alone in the topology Quorum's team compiles to for this shape: a run that starts with
 * a Command, a planner node that fans out one `Send` per specialist, the specialists routing to
 * the verifier with `Command`, the team's default checkpointer after every superstep, and the
 * same stream modes. The nodes do nothing, so this is what the framework costs a team of this
 * shape before any agent, guard or provenance work: Quorum's floor. With `lean`, the runs carry
 * the team's lean run-context marker, as the team's own runs do by default.
 */
export function langgraphFloorVariant(lean = false): Variant {
  return {
    name: lean ? "langgraph-floor-lean" : "langgraph-floor",
    notes: `LangGraph alone in Quorum's topology (Command start, planner -> one Send per specialist -> verifier, Command routing, the team's default checkpointer after every superstep, updates+values streaming) with nodes that do nothing: the framework's floor under Quorum for this shape. ${lean ? "Runs in the team's lean run context (no langsmith run tree per runnable), as Quorum's team does by default. " : "LangChain's own run context (a disabled langsmith run tree per runnable invocation). "}Counted as 9 steps per run, Quorum's agent steps, so its per-step figure compares with Quorum's.`,
    async setup() {
      if (lean && !enableLeanRunContext()) throw new Error("the lean run context could not be installed");
      const checkpointer = createMemoryCheckpointer();
      const graph = new StateGraph(State)
        .addNode(
          "planner",
          async () =>
            new Command({
              update: { done: 1 },
              goto: SPECIALISTS.map((who) => new Send("execute", { who })),
            }),
          { ends: ["execute"] },
        )
        .addNode("execute", async () => new Command({ update: { done: 1 }, goto: "verify" }), {
          ends: ["verify"],
        })
        .addNode("verify", async () => ({ done: 1 }))
        .addEdge(START, "planner")
        .addEdge("verify", END)
        .compile({ checkpointer });
      let runs = 0;
      return {
        async run(i) {
          const threadId = `t${i}`;
          const stream = await graph.stream(new Command({ update: { done: 0 }, goto: "planner" }) as never, {
            configurable: lean ? { thread_id: threadId, [LEAN_RUN]: true } : { thread_id: threadId },
            streamMode: ["updates", "values"],
          });
          let last: { done?: number } = {};
          for await (const [mode, chunk] of stream as AsyncIterable<[string, { done?: number }]>)
            if (mode === "values") last = chunk;
          // planner, three executes and verify each add one.
          if (last.done !== 5) throw new Error(`floor run ${i}: ${JSON.stringify(last)}`);
          runs += 1;
          await checkpointer.deleteThread(threadId);
        },
        modelCalls: () => runs * QUORUM_AGENT_STEPS,
      };
    },
  };
}
