import type { BaseLanguageModelInput } from "@langchain/core/language_models/base";
import {
  BaseChatModel,
  type BaseChatModelCallOptions,
  type BindToolsInput,
} from "@langchain/core/language_models/chat_models";
import { AIMessage, type AIMessageChunk, type BaseMessage } from "@langchain/core/messages";
import type { ChatResult } from "@langchain/core/outputs";
import type { Runnable } from "@langchain/core/runnables";

export interface FakeReply {
  content: string;
  toolCalls?: Array<{ name: string; args: Record<string, unknown> }>;
}

/** Decides the reply from the conversation so far and the tools bound to this view. */
export type Responder = (messages: BaseMessage[], tools: string[]) => FakeReply;

let callIds = 0;

/**
 * A zero-latency LangChain chat model: no network, no queue, the reply is a pure function of
 * the messages. It goes through BaseChatModel.invoke like any real model (callbacks, config),
 * so what a benchmark measures is the framework around the model, not the model.
 */
export class FakeChatModel extends BaseChatModel {
  calls = 0;
  constructor(
    private readonly responder: Responder,
    private readonly tools: string[] = [],
    private readonly counter: { calls: number } = { calls: 0 },
  ) {
    super({});
  }

  get totalCalls(): number {
    return this.counter.calls;
  }

  _llmType(): string {
    return "bench-fake";
  }

  override bindTools(
    tools: BindToolsInput[],
    _kwargs?: Partial<BaseChatModelCallOptions>,
  ): Runnable<BaseLanguageModelInput, AIMessageChunk, BaseChatModelCallOptions> {
    const names = tools
      .map((t) => (t as { name?: string }).name ?? (t as { function?: { name?: string } }).function?.name)
      .filter((n): n is string => typeof n === "string");
    return new FakeChatModel(this.responder, names, this.counter);
  }

  async _generate(messages: BaseMessage[]): Promise<ChatResult> {
    this.counter.calls += 1;
    const reply = this.responder(messages, this.tools);
    const message = new AIMessage({
      content: reply.content,
      tool_calls: (reply.toolCalls ?? []).map((c) => ({
        name: c.name,
        args: c.args,
        id: `call_${++callIds}`,
        type: "tool_call" as const,
      })),
      usage_metadata: { input_tokens: 10, output_tokens: 5, total_tokens: 15 },
    });
    return { generations: [{ text: reply.content, message }] };
  }
}
