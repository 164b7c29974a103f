import type { RunnableConfig } from "@langchain/core/runnables";
import type { DeltaChannelHistory } from "@langchain/langgraph-checkpoint";

type History = Record<string, DeltaChannelHistory>;

/**
 * The last delta-channel history a saver read, for the same checkpoint asked again: resuming a
 * thread reads its state, then LangGraph loads the same checkpoint to run on, and each read
 * replays the whole log. Any write to the thread in this process forgets it.
 */
export class HistoryMemo {
  private last: { key: string; thread: string; value: Promise<History> } | undefined;

  get(config: RunnableConfig, channels: string[], read: () => Promise<History>): Promise<History> {
    const c = config.configurable ?? {};
    const id = c.checkpoint_id as string | undefined;
    // Without a checkpoint id the request means "the latest", which may have moved.
    if (id === undefined) return read();
    const thread = String(c.thread_id);
    const key = JSON.stringify([thread, c.checkpoint_ns ?? "", id, channels]);
    if (this.last?.key === key) return this.last.value;
    const value = read();
    this.last = { key, thread, value };
    value.catch(() => {
      if (this.last?.value === value) this.last = undefined;
    });
    return value;
  }

  forget(thread: unknown): void {
    if (this.last && (thread === undefined || this.last.thread === String(thread))) this.last = undefined;
  }
}
