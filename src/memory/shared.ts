import type { EventLog, Item, LogWriter, Sensitivity } from "../core/index.js";

export interface MemoryWriteOptions {
  sensitivity?: Sensitivity;
  /** Agents that may read the entry; defaults to every agent of the run. */
  audience?: string[];
  labels?: string[];
  derivedFrom?: string[];
}

export type MemoryReadResult =
  | { ok: true; key: string; value: unknown; item: Item }
  | { ok: false; key: string; reason: string };

/**
 * Shared memory over the event log: an entry is a `memory_write` item (owner = author), a read
 * is a recorded delivery. A read outside the audience is denied and recorded, never served.
 */
export class SharedMemory {
  private readonly latest: Map<string, string>;
  private readonly writer: LogWriter;

  constructor(
    private readonly log: EventLog,
    private readonly runId: string,
    options: { writer?: LogWriter; index?: Map<string, string> } = {},
  ) {
    this.writer = options.writer ?? log;
    if (options.index) {
      this.latest = options.index;
    } else {
      this.latest = new Map();
      for (const item of log.items({ runId, kind: "memory_write" })) {
        const key = (item.content as { key?: unknown } | null)?.key;
        if (typeof key === "string") this.latest.set(key, item.id);
      }
    }
  }

  /** Same memory, writes going through another writer (e.g. one capturing a node's writes). */
  withWriter(writer: LogWriter): SharedMemory {
    return new SharedMemory(this.log, this.runId, { writer, index: this.latest });
  }

  write(agent: string, step: number, key: string, value: unknown, options: MemoryWriteOptions = {}): Item {
    const item = this.writer.add(this.runId, {
      step,
      author: agent,
      kind: "memory_write",
      content: { key, value },
      audience: options.audience ?? ["*"],
      sensitivity: options.sensitivity ?? "internal",
      labels: options.labels ?? [],
      derivedFrom: options.derivedFrom ?? this.log.seenIds(this.runId, agent, step),
    });
    this.latest.set(key, item.id);
    return item;
  }

  read(agent: string, step: number, key: string): MemoryReadResult {
    const id = this.latest.get(key);
    if (id === undefined) return { ok: false, key, reason: `no memory entry ${key}` };
    const item = this.log.mustGet(id);
    if (!this.writer.deliver(id, agent, step, "memory")) {
      return { ok: false, key, reason: `${agent} may not read ${key}` };
    }
    return { ok: true, key, value: (item.content as { value: unknown }).value, item };
  }

  /** Keys the agent may read (listing does not reveal keys outside its audience). */
  keys(agent: string): string[] {
    const out: string[] = [];
    for (const [key, id] of this.latest) {
      const item = this.log.mustGet(id);
      if (item.author === agent || item.audience.includes("*") || item.audience.includes(agent))
        out.push(key);
    }
    return out;
  }
}
