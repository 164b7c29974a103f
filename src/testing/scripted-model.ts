import type { CallbackManagerForLLMRun } from "@langchain/core/callbacks/manager";
import type { BaseLanguageModelInput } from "@langchain/core/language_models/base";
import {
  BaseChatModel,
  type BaseChatModelCallOptions,
  type BindToolsInput,
} from "@langchain/core/language_models/chat_models";
import { AIMessageChunk, type BaseMessage } from "@langchain/core/messages";
import type { ChatResult } from "@langchain/core/outputs";
import type { Runnable, RunnableConfig } from "@langchain/core/runnables";

export interface ScriptedToolCall {
  name: string;
  args: Record<string, unknown>;
  id?: string;
}

/** Token counts to report; either naming works, as on the test server. */
export interface ScriptedUsage {
  inputTokens?: number;
  outputTokens?: number;
  promptTokens?: number;
  completionTokens?: number;
}

/**
 * One queued reply: plain text; a message with tool calls; a structured value (sent as JSON text,
 * or as the call of the single bound tool when used through `withStructuredOutput`); or an error
 * to throw.
 */
export type ScriptedReply =
  | string
  | { content?: string; toolCalls?: ScriptedToolCall[]; usage?: ScriptedUsage }
  | { structured: unknown; usage?: ScriptedUsage }
  | { error: string | Error };

export interface ScriptedModelOptions {
  /** Replies for any caller, in order. */
  replies?: ScriptedReply[];
  /** Replies for one agent each, in order; an agent's own queue is used before the shared one. */
  byAgent?: Record<string, ScriptedReply[]>;
  /** Where the calling agent's name is read from the run's metadata; defaults to `metadata.agent`. */
  agentFrom?: (metadata: Record<string, unknown>) => string | undefined;
  /** Model name reported in usage records. */
  name?: string;
}

export interface ScriptedCall {
  index: number;
  agent: string | undefined;
  messages: BaseMessage[];
  /** Names of the tools bound when the call was made. */
  tools: string[];
  reply: ScriptedReply;
}

export interface ScriptedModelCallOptions extends BaseChatModelCallOptions {
  /** Which agent is calling; also taken from `metadata.agent` (see `agentFrom`). */
  agent?: string;
}

/** A call the script did not expect: the test has found a difference from what it described. */
export class UnexpectedModelCallError extends Error {
  override readonly name = "UnexpectedModelCallError";
}

/** Queues shared by a model and its agent views and tool bindings. */
class Script {
  shared: ScriptedReply[] = [];
  byAgent = new Map<string, ScriptedReply[]>();
  calls: ScriptedCall[] = [];

  take(agent: string | undefined): ScriptedReply | undefined {
    const own = agent !== undefined ? this.byAgent.get(agent) : undefined;
    if (own !== undefined && own.length > 0) return own.shift();
    return this.shared.shift();
  }

  remaining(): Record<string, number> {
    const out: Record<string, number> = {};
    if (this.shared.length > 0) out["(any agent)"] = this.shared.length;
    for (const [agent, q] of this.byAgent) if (q.length > 0) out[agent] = q.length;
    return out;
  }
}

function toolNameOf(tool: BindToolsInput): string | undefined {
  const t = tool as { name?: unknown; function?: { name?: unknown } };
  if (typeof t.name === "string") return t.name;
  if (typeof t.function?.name === "string") return t.function.name;
  return undefined;
}

function messageText(m: BaseMessage): string {
  return typeof m.content === "string" ? m.content : JSON.stringify(m.content);
}

function estimateTokens(text: string): number {
  return Math.max(1, Math.ceil(text.length / 4));
}

function describe(remaining: Record<string, number>): string {
  const parts = Object.entries(remaining).map(([a, n]) => `${a}: ${n}`);
  return parts.length > 0 ? parts.join(", ") : "none";
}

/**
 * A LangChain chat model that replays queued replies, so agent code runs deterministically with
 * no server. Any call it has no reply for throws, and `assertComplete()` fails a test that left
 * replies unused: both directions of "the model was used differently from the script" are caught.
 */
export class ScriptedModel extends BaseChatModel<ScriptedModelCallOptions, AIMessageChunk> {
  readonly model: string;
  private readonly script: Script;
  private readonly agentFrom: (metadata: Record<string, unknown>) => string | undefined;
  private readonly fixedAgent: string | undefined;
  private readonly boundTools: string[];

  /** The second argument is internal: views made by forAgent and bindTools share the script through it. */
  constructor(
    options: ScriptedModelOptions = {},
    shared?: { script: Script; agent?: string | undefined; tools?: string[] },
  ) {
    super({});
    this.model = options.name ?? "scripted";
    this.agentFrom =
      options.agentFrom ?? ((m) => (typeof m["agent"] === "string" ? (m["agent"] as string) : undefined));
    this.script = shared?.script ?? new Script();
    this.fixedAgent = shared?.agent;
    this.boundTools = shared?.tools ?? [];
    if (options.replies) this.script.shared.push(...options.replies);
    for (const [agent, replies] of Object.entries(options.byAgent ?? {})) this.enqueueFor(agent, ...replies);
  }

  _llmType(): string {
    return "scripted";
  }

  /** Adds replies for any caller. */
  enqueue(...replies: ScriptedReply[]): this {
    this.script.shared.push(...replies);
    return this;
  }

  /** Adds replies only `agent` receives. */
  enqueueFor(agent: string, ...replies: ScriptedReply[]): this {
    const q = this.script.byAgent.get(agent) ?? [];
    q.push(...replies);
    this.script.byAgent.set(agent, q);
    return this;
  }

  /** A view of the same script that always calls as `agent`, for code that cannot pass metadata. */
  forAgent(agent: string): ScriptedModel {
    return new ScriptedModel(this.viewOptions(), { script: this.script, agent, tools: this.boundTools });
  }

  override bindTools(
    tools: BindToolsInput[],
    _kwargs?: Partial<ScriptedModelCallOptions>,
  ): Runnable<BaseLanguageModelInput, AIMessageChunk, ScriptedModelCallOptions> {
    const names = tools.map(toolNameOf).filter((n): n is string => n !== undefined);
    return new ScriptedModel(this.viewOptions(), {
      script: this.script,
      agent: this.fixedAgent,
      tools: names,
    });
  }

  /** Every call made so far, through this model or any of its views. */
  get calls(): readonly ScriptedCall[] {
    return this.script.calls;
  }

  /** Replies not used yet, by agent (`(any agent)` for the shared queue). */
  get remaining(): Record<string, number> {
    return this.script.remaining();
  }

  assertComplete(): void {
    const left = this.script.remaining();
    if (Object.keys(left).length > 0) {
      throw new Error(`ScriptedModel: replies were never requested (${describe(left)})`);
    }
  }

  private viewOptions(): ScriptedModelOptions {
    return { name: this.model, agentFrom: this.agentFrom };
  }

  // The run's metadata is dropped before `_generate`; this is the last place it is visible, so the
  // calling agent is copied into the call options here.
  protected override _separateRunnableConfigFromCallOptionsCompat(
    options?: Partial<ScriptedModelCallOptions>,
  ): [RunnableConfig, this["ParsedCallOptions"]] {
    const [config, callOptions] = super._separateRunnableConfigFromCallOptionsCompat(options);
    const withAgent = callOptions as this["ParsedCallOptions"] & { agent?: string };
    if (withAgent.agent === undefined && config.metadata !== undefined) {
      const agent = this.agentFrom(config.metadata);
      if (agent !== undefined) withAgent.agent = agent;
    }
    return [config, withAgent];
  }

  async _generate(
    messages: BaseMessage[],
    options: this["ParsedCallOptions"],
    _runManager?: CallbackManagerForLLMRun,
  ): Promise<ChatResult> {
    const agent = this.fixedAgent ?? (options as { agent?: string }).agent;
    const reply = this.script.take(agent);
    if (reply === undefined) {
      const last = messages.at(-1);
      const preview = last ? messageText(last).slice(0, 120) : "(no messages)";
      throw new UnexpectedModelCallError(
        `ScriptedModel: unexpected call #${this.script.calls.length + 1}` +
          `${agent !== undefined ? ` from agent "${agent}"` : ""}: no reply queued` +
          ` (left for others: ${describe(this.script.remaining())}); last message: ${preview}`,
      );
    }
    this.script.calls.push({
      index: this.script.calls.length,
      agent,
      messages: [...messages],
      tools: [...this.boundTools],
      reply,
    });
    const message = this.toMessage(reply);
    const text = typeof message.content === "string" ? message.content : "";
    return { generations: [{ text, message }], llmOutput: { tokenUsage: message.usage_metadata } };
  }

  private toMessage(reply: ScriptedReply): AIMessageChunk {
    if (typeof reply === "string") return this.withUsage(reply, [], undefined);
    if ("error" in reply) throw typeof reply.error === "string" ? new Error(reply.error) : reply.error;
    if ("structured" in reply) {
      // withStructuredOutput binds exactly one tool and expects the value as its call.
      const only = this.boundTools.length === 1 ? this.boundTools[0] : undefined;
      if (only !== undefined) {
        return this.withUsage(
          "",
          [{ name: only, args: reply.structured as Record<string, unknown> }],
          reply.usage,
        );
      }
      return this.withUsage(JSON.stringify(reply.structured), [], reply.usage);
    }
    const calls = reply.toolCalls ?? [];
    for (const c of calls) {
      if (this.boundTools.length > 0 && !this.boundTools.includes(c.name)) {
        throw new UnexpectedModelCallError(
          `ScriptedModel: scripted tool call "${c.name}" is not among the bound tools (${this.boundTools.join(", ")})`,
        );
      }
    }
    return this.withUsage(reply.content ?? "", calls, reply.usage);
  }

  private withUsage(
    content: string,
    calls: ScriptedToolCall[],
    usage: ScriptedUsage | undefined,
  ): AIMessageChunk {
    const n = this.script.calls.length;
    const toolCalls = calls.map((c, i) => ({
      name: c.name,
      args: c.args,
      id: c.id ?? `scripted_call_${n}_${i}`,
      type: "tool_call" as const,
    }));
    const last = this.script.calls.at(-1);
    const promptChars = (last?.messages ?? []).map(messageText).join("\n");
    const inputTokens = usage?.inputTokens ?? usage?.promptTokens ?? estimateTokens(promptChars);
    const outputTokens =
      usage?.outputTokens ??
      usage?.completionTokens ??
      estimateTokens(content + calls.map((c) => c.name + JSON.stringify(c.args)).join(""));
    return new AIMessageChunk({
      content,
      tool_calls: toolCalls,
      tool_call_chunks: toolCalls.map((c, index) => ({
        name: c.name,
        args: JSON.stringify(c.args),
        id: c.id,
        index,
        type: "tool_call_chunk" as const,
      })),
      usage_metadata: {
        input_tokens: inputTokens,
        output_tokens: outputTokens,
        total_tokens: inputTokens + outputTokens,
      },
      response_metadata: {
        model_name: this.model,
        finish_reason: toolCalls.length > 0 ? "tool_calls" : "stop",
      },
    });
  }
}
