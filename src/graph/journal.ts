import { GuardError, type QuorumErrorOptions } from "../core/index.js";

export type Awaitable<T> = T | Promise<T>;

/** One side-effecting call, by idempotency key. */
export interface JournalEntry {
  key: string;
  tool: string;
  /** `started`: the intent was recorded and no result yet (in flight, or cut off by a crash). */
  state: "started" | "done";
  /** The recorded result (`done` only). */
  result?: unknown;
  /** Whether the recorded result is the tool's error. */
  failed?: boolean;
  /** How many times the call was started (more than 1 only for retried idempotent tools). */
  attempts: number;
}

/**
 * Record of side-effecting tool calls, one entry per idempotency key (unique). The runtime records
 * the intent before a call and the result after it, so a call replayed after a crash returns the
 * recorded result, and a call that started but has no result is resolved by the tool's declared
 * policy instead of silently running again.
 */
export interface ToolJournal {
  get(key: string): Awaitable<JournalEntry | undefined>;
  /**
   * Records the intent to run `tool` under `key`, atomically: undefined when this caller claimed
   * the key, else the entry that was already there (nothing is written then).
   */
  begin(key: string, tool: string): Awaitable<JournalEntry | undefined>;
  /** Counts one more start of a started call (an idempotent tool retried with the same key). */
  retry(key: string): Awaitable<void>;
  finish(key: string, result: unknown, failed?: boolean): Awaitable<void>;
  /** Number of times calls were started, in total or for one tool (for tests and audits). */
  count(tool?: string): Awaitable<number>;
}

/**
 * A side-effecting call found started with no result, by a tool not declared idempotent: it is
 * not run again, and the run stops (a retry of the step would run it under a new key). Once a
 * human has checked, `journal.finish(key, result)` records what happened and a resume goes on.
 */
export class UnresolvedCallError extends GuardError {
  constructor(
    readonly tool: string,
    readonly key: string,
    options: Omit<QuorumErrorOptions, "hint"> = {},
  ) {
    super(
      `${tool} call ${key} started before an interruption and has no recorded result; the tool is not declared idempotent, so it is not run again`,
      {
        ...options,
        hint: "check whether the call took effect and record it with journal.finish(key, result), or declare the tool idempotent (it then receives the same idempotency key)",
      },
    );
  }
}

export class InMemoryToolJournal implements ToolJournal {
  private readonly entries = new Map<string, JournalEntry>();

  get(key: string): JournalEntry | undefined {
    const e = this.entries.get(key);
    return e ? { ...e } : undefined;
  }

  begin(key: string, tool: string): JournalEntry | undefined {
    const existing = this.get(key);
    if (existing) return existing;
    this.entries.set(key, { key, tool, state: "started", attempts: 1 });
    return undefined;
  }

  retry(key: string): void {
    const e = this.entries.get(key);
    if (e) e.attempts += 1;
  }

  finish(key: string, result: unknown, failed = false): void {
    const e = this.entries.get(key);
    if (!e) return;
    e.state = "done";
    e.result = result;
    e.failed = failed;
  }

  count(tool?: string): number {
    let n = 0;
    for (const e of this.entries.values()) if (tool === undefined || e.tool === tool) n += e.attempts;
    return n;
  }
}
