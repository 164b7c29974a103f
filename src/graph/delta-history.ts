import type { DeltaChannelHistory, SerializerProtocol } from "@langchain/langgraph-checkpoint";

/** One stored write, already in replay order; `data` is the serialized value (text for JSON). */
export interface StoredWrite {
  taskId: string;
  type: string;
  data: Uint8Array | string;
}

const decoder = new TextDecoder();

/**
 * A channel's writes as a delta-channel history. A resumed thread replays thousands of writes:
 * when they are all plain JSON with no serialized record in them (no "lc" key, which our writers
 * never escape), they are parsed as one array in one JSON.parse, instead of one parse, decode and
 * record scan per write; anything else goes through the serializer write by write.
 */
export async function historyOf(
  serde: SerializerProtocol,
  channel: string,
  writes: StoredWrite[],
): Promise<DeltaChannelHistory> {
  const texts = writes.every((w) => w.type === "json")
    ? writes.map((w) => (typeof w.data === "string" ? w.data : decoder.decode(w.data)))
    : undefined;
  const joined = texts ? `[${texts.join(",")}]` : undefined;
  const values: unknown[] =
    joined !== undefined && !joined.includes('"lc"')
      ? (JSON.parse(joined) as unknown[])
      : await Promise.all(writes.map((w) => serde.loadsTyped(w.type, w.data)));
  return { writes: writes.map((w, i) => [w.taskId, channel, values[i]]) };
}
