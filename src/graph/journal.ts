/**
 * Record of side-effecting tool executions by idempotency key. The runtime consults it before
 * running such a tool, so a call replayed after a crash or a retry returns the recorded result
 * instead of acting twice.
 */
export interface ToolJournal {
  get(key: string): { tool: string; result: unknown } | undefined;
  put(key: string, tool: string, result: unknown): void;
  /** Number of executions recorded for a tool (for tests and audits). */
  count(tool?: string): number;
}

export class InMemoryToolJournal implements ToolJournal {
  private readonly entries = new Map<string, { tool: string; result: unknown }>();
  /** One entry per execution, so a repeated side effect would be visible. */
  private readonly executions: string[] = [];
  get(key: string) {
    return this.entries.get(key);
  }
  put(key: string, tool: string, result: unknown): void {
    if (!this.entries.has(key)) this.entries.set(key, { tool, result });
    this.executions.push(tool);
  }
  count(tool?: string): number {
    return this.executions.filter((t) => tool === undefined || t === tool).length;
  }
}
