import {
  Agent,
  type AgentInputItem,
  type Model,
  type ModelRequest,
  type ModelResponse,
  Runner,
  setTracingDisabled,
  Usage,
} from "@openai/agents";
import { SPECIALISTS, type Variant } from "../variant.js";

type Decide = (input: AgentInputItem[]) => ModelResponse["output"];

let ids = 0;
const usage = () => new Usage({ requests: 1, inputTokens: 10, outputTokens: 5, totalTokens: 15 });
const call = (name: string, args: Record<string, unknown>) => ({
  type: "function_call" as const,
  callId: `call_${++ids}`,
  name,
  arguments: JSON.stringify(args),
  status: "completed" as const,
});
const say = (text: string) => ({
  type: "message" as const,
  role: "assistant" as const,
  status: "completed" as const,
  content: [{ type: "output_text" as const, text }],
});

/**
 * The agents SDK ships no scripted model in its package, only the Model interface: this one
 * answers from the conversation with zero latency, so the SDK's runner is what is measured.
 */
class ScriptedAgentsModel implements Model {
  constructor(
    private readonly decide: Decide,
    private readonly counter: { calls: number },
  ) {}
  async getResponse(request: ModelRequest): Promise<ModelResponse> {
    this.counter.calls += 1;
    const input = typeof request.input === "string" ? [] : request.input;
    return { usage: usage(), output: this.decide(input) };
  }
  // biome-ignore lint/correctness/useYield: the benchmark never streams
  async *getStreamedResponse(): AsyncIterable<never> {
    throw new Error("not streamed in the benchmark");
  }
}

/** The specialists' results are in the conversation: the planner's tools have run. */
const hasToolResults = (input: AgentInputItem[]) =>
  input.some((i) => {
    const item = i as { type?: string; name?: string };
    return item.type === "function_call_result" && item.name?.startsWith("run_") === true;
  });

export function openaiAgentsVariant(): Variant {
  return {
    name: "openai-agents",
    notes:
      "@openai/agents Runner with tracing disabled and a scripted zero-latency Model: supervisor hands off to the planner, the planner calls the 3 specialists as agent tools in one model response (the SDK runs them concurrently), then hands off to the verifier, which answers (7 model calls per run). No checkpoints, no provenance, no guards.",
    async setup() {
      setTracingDisabled(true);
      const counter = { calls: 0 };
      const model = (d: Decide) => new ScriptedAgentsModel(d, counter);
      const verifier = new Agent({
        name: "verifier",
        instructions: "verify",
        model: model(() => [say("final: all parts verified")]),
      });
      const specialists = SPECIALISTS.map(
        (who) =>
          new Agent({ name: who, instructions: `do ${who}`, model: model(() => [say(`${who} done`)]) }),
      );
      const planner = new Agent({
        name: "planner",
        instructions: "plan",
        tools: specialists.map((s) => s.asTool({ toolName: `run_${s.name}`, toolDescription: s.name })),
        handoffs: [verifier],
        model: model((input) =>
          hasToolResults(input)
            ? [call("transfer_to_verifier", {})]
            : SPECIALISTS.map((who) => call(`run_${who}`, { input: `part ${who}` })),
        ),
      });
      const supervisor = new Agent({
        name: "supervisor",
        instructions: "route",
        handoffs: [planner],
        model: model(() => [call("transfer_to_planner", {})]),
      });
      const runner = new Runner({ tracingDisabled: true });
      return {
        async run(i) {
          const r = await runner.run(supervisor, `task ${i}`);
          if (!String(r.finalOutput).startsWith("final:")) throw new Error("agents run did not finish");
        },
        modelCalls: () => counter.calls,
      };
    },
  };
}
