import { BaseCallbackHandler } from "@langchain/core/callbacks/base";
import { type BaseMessage, HumanMessage, isBaseMessage } from "@langchain/core/messages";
import type { LLMResult } from "@langchain/core/outputs";
import type { RunnableInterface } from "@langchain/core/runnables";
import { tool as lcTool, type StructuredToolInterface } from "@langchain/core/tools";
import type { ToolSpec } from "../core/index.js";
import { textOf, usageOf } from "../models/index.js";
import type { PlanStep } from "./schemas.js";
import { stepPrompt } from "./specialist.js";
import type { AgentEnv, Specialist, StepInput } from "./types.js";

/** What the wrapped runnable is told about its step. */
export interface RunnableStep {
  task: string;
  step: PlanStep;
  inputs: ReadonlyArray<StepInput>;
  attempt: number;
  feedback?: string;
  /** The same as one human message, for message-based graphs (the default input). */
  prompt: string;
}

export interface RunnableSpecialistOptions {
  /**
   * Any LangChain `Runnable` or compiled LangGraph graph; or a function building one from the
   * step's tools as LangChain tools, each call of which goes through the team's runtime (guards,
   * approvals, journal, provenance).
   */
  runnable: RunnableInterface | ((tools: StructuredToolInterface[]) => RunnableInterface);
  /** The runnable's input for a step (default: `{ messages: [new HumanMessage(prompt)] }`). */
  input?: (step: RunnableStep) => unknown;
  /** The step's output text from the runnable's result (default: text of a string, message, `messages` or `output`). */
  output?: (value: unknown) => string;
}

/**
 * A specialist backed by a LangChain runnable or a LangGraph graph. Its tool calls are the team's
 * (recorded, guarded); a graph's node updates are recorded as notes of the specialist, in order;
 * the chat models it calls are counted for the specialist.
 */
export class RunnableSpecialist implements Specialist {
  constructor(private readonly options: RunnableSpecialistOptions) {}

  async execute(input: Parameters<Specialist["execute"]>[0]): Promise<{ output: string }> {
    const { env } = input;
    const tools = asLangChainTools(env, input.tools);
    const runnable =
      typeof this.options.runnable === "function" ? this.options.runnable(tools) : this.options.runnable;
    const step: RunnableStep = {
      task: input.task,
      step: input.step,
      inputs: input.inputs,
      attempt: input.attempt,
      ...(input.feedback ? { feedback: input.feedback } : {}),
      prompt: stepPrompt(input),
    };
    const value = this.options.input
      ? this.options.input(step)
      : { messages: [new HumanMessage(step.prompt)] };
    const callbacks = [new ModelCallCounter(env)];
    const result = isGraph(runnable)
      ? await streamGraph(runnable, value, env, callbacks)
      : await runnable.invoke(value, { callbacks });
    return { output: (this.options.output ?? resultText)(result) };
  }
}

/** The step's tools as LangChain tools whose calls go through `env.callTool`, numbered in call order. */
export function asLangChainTools(env: AgentEnv, tools: ReadonlyArray<ToolSpec>): StructuredToolInterface[] {
  let callIndex = 0;
  return tools.map((spec) =>
    lcTool(
      async (args: unknown) => {
        const r = await env.callTool(spec, args, { callIndex: callIndex++ });
        if (r.status === "blocked") return JSON.stringify({ error: `${spec.name} was not allowed to run` });
        return typeof r.value === "string" ? r.value : JSON.stringify(r.value ?? null);
      },
      { name: spec.name, description: spec.description, schema: spec.schema as never },
    ),
  );
}

type Graph = RunnableInterface & {
  stream(input: unknown, options: Record<string, unknown>): Promise<AsyncIterable<[string, unknown]>>;
  getGraphAsync: unknown;
};

function isGraph(r: RunnableInterface): r is Graph {
  return typeof (r as Partial<Graph>).getGraphAsync === "function" && "streamMode" in r;
}

/** Runs a compiled graph, recording each node's update as a note; returns its final state. */
async function streamGraph(graph: Graph, value: unknown, env: AgentEnv, callbacks: BaseCallbackHandler[]) {
  let last: unknown;
  const stream = await graph.stream(value, { streamMode: ["updates", "values"], callbacks });
  for await (const [mode, chunk] of stream) {
    if (mode === "values") {
      last = chunk;
      continue;
    }
    for (const [node, update] of Object.entries(chunk as Record<string, unknown>)) {
      env.note?.({ node, update: plain(update) }, [`graph-node:${node}`]);
    }
  }
  return last;
}

/** A JSON-safe copy of a node update: messages as `{ type, content }`. */
function plain(value: unknown): unknown {
  if (isBaseMessage(value)) return { type: value.getType(), content: value.content };
  if (Array.isArray(value)) return value.map(plain);
  if (value !== null && typeof value === "object") {
    return Object.fromEntries(Object.entries(value).map(([k, v]) => [k, plain(v)]));
  }
  return value;
}

/** The text of a runnable's result: a string, a message, the last of `messages`, or `output`. */
function resultText(value: unknown): string {
  if (typeof value === "string") return value;
  if (isBaseMessage(value)) return textOf(value);
  if (value !== null && typeof value === "object") {
    const v = value as { messages?: unknown; output?: unknown };
    if (Array.isArray(v.messages) && v.messages.length > 0) return resultText(v.messages.at(-1));
    if (v.output !== undefined) return resultText(v.output);
  }
  return JSON.stringify(value ?? null);
}

/** Counts the chat model calls inside the runnable for the specialist (model name and tokens). */
class ModelCallCounter extends BaseCallbackHandler {
  name = "quorum-model-call-counter";
  private readonly models = new Map<string, string>();

  constructor(private readonly env: AgentEnv) {
    super();
  }

  override handleChatModelStart(
    llm: { id?: string[] },
    _messages: unknown,
    runId: string,
    _parent?: string,
    _extra?: Record<string, unknown>,
    _tags?: string[],
    metadata?: Record<string, unknown>,
  ): void {
    const name = (metadata?.ls_model_name as string | undefined) ?? llm.id?.at(-1) ?? "unknown";
    this.models.set(runId, name);
  }

  override handleLLMEnd(output: LLMResult, runId: string): void {
    const model = this.models.get(runId);
    if (model === undefined) return;
    this.models.delete(runId);
    const message = (output.generations[0]?.[0] as { message?: BaseMessage } | undefined)?.message;
    const { inputTokens, outputTokens } = message ? usageOf(message) : { inputTokens: 0, outputTokens: 0 };
    this.env.recordModelCall(model, inputTokens, outputTokens);
  }
}
