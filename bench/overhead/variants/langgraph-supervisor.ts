import type { BaseMessage } from "@langchain/core/messages";
import { MemorySaver } from "@langchain/langgraph";
import { createReactAgent } from "@langchain/langgraph/prebuilt";
import { createSupervisor } from "@langchain/langgraph-supervisor";
import { FakeChatModel } from "../../lib/fake-chat-model.js";
import { SPECIALISTS, type Variant } from "../variant.js";

const ORDER = ["planner", ...SPECIALISTS, "verifier"];

/** Agents that have handed back so far: the supervisor's position in the fixed route. */
function handedBack(messages: BaseMessage[]): number {
  return messages.filter((m) => m.getType() === "tool" && String(m.name ?? "").startsWith("transfer_back_to"))
    .length;
}

export function supervisorVariant(): Variant {
  return {
    name: "langgraph-supervisor",
    notes:
      "@langchain/langgraph-supervisor with five createReactAgent workers (planner, 3 specialists, verifier), every agent and the supervisor on the zero-latency fake chat model, in-memory checkpointer. The package follows only the first of several handoffs in one message, so the supervisor hands off one worker at a time: the specialists run one after another and the supervisor makes a model call between every two workers (11 model calls per run).",
    async setup() {
      const counter = { calls: 0 };
      const workers = ORDER.map((name) =>
        createReactAgent({
          llm: new FakeChatModel(() => ({ content: `${name} done` }), [], counter),
          tools: [],
          name,
        }),
      );
      const supervisorModel = new FakeChatModel(
        (messages) => {
          const next = ORDER[handedBack(messages)];
          return next
            ? { content: "", toolCalls: [{ name: `transfer_to_${next}`, args: {} }] }
            : { content: "final: all parts verified" };
        },
        [],
        counter,
      );
      const saver = new MemorySaver();
      const app = createSupervisor({ agents: workers, llm: supervisorModel }).compile({
        checkpointer: saver,
      });
      return {
        async run(i) {
          const thread_id = `t${i}`;
          const out = await app.invoke(
            { messages: [{ role: "user", content: `task ${i}` }] },
            { configurable: { thread_id } },
          );
          const last = out.messages[out.messages.length - 1];
          if (!String(last?.content).startsWith("final:")) throw new Error("supervisor run did not finish");
          await saver.deleteThread(thread_id);
        },
        modelCalls: () => counter.calls,
      };
    },
  };
}
