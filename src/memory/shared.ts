import type { EventLog, Item, Sensitivity } from "../core/index.js";

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
  private readonly latest = new Map<string, string>();

  constructor(
    private readonly log: EventLog,
    private readonly runId: string,
  ) {
    for (const item of log.items({ runId, kind: "memory_write" })) {
      const key = (item.content as { key?: unknown } | null)?.key;
      if (typeof key === "string") this.latest.set(key, item.id);
    }
  }

  write(agent: string, step: number, key: string, value: unknown, options: MemoryWriteOptions = {}): Item {
    const item = this.log.add(this.runId, {
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
    if (!this.log.deliver(id, agent, step, "memory")) {
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
