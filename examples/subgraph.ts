// A Quorum team as one node of your own LangGraph graph: runnable with `npx tsx examples/subgraph.ts`.
// In your project, import from "quorum" instead of "../src/index.js".
import { Annotation, END, MemorySaver, START, StateGraph } from "@langchain/langgraph";
import { teamNode } from "../src/index.js";
import { quickstartTeam } from "./quickstart.js";

const State = Annotation.Root({
  question: Annotation<string>(),
  answer: Annotation<string>(),
  report: Annotation<string>(),
});

/** question -> the team answers it -> a report. Give the team and the graph the same saver to keep one store. */
export function reportGraph(checkpointer = new MemorySaver()) {
  const team = quickstartTeam({ checkpointer });
  return new StateGraph(State)
    .addNode(
      "team",
      teamNode<typeof State.State>(team, {
        task: (s) => s.question,
        update: (r) => ({
          answer: r.status === "finished" ? (r.finalAnswer ?? "") : `(${r.status}: ${r.reason})`,
        }),
      }),
    )
    .addNode("write_report", (s) => ({ report: `Q: ${s.question}\nA: ${s.answer}` }))
    .addEdge(START, "team")
    .addEdge("team", "write_report")
    .addEdge("write_report", END)
    .compile({ checkpointer });
}

if (import.meta.url === `file://${process.argv[1]}`) {
  const out = await reportGraph().invoke(
    { question: "What is a?" },
    { configurable: { thread_id: "report-1" } },
  );
  console.log(out.report);
}
