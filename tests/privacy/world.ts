// Shared helpers for the privacy tests: a tiny scenario built in code, on the real runtime.
import type { Item } from "../../src/core/index.js";
import { type TableData, TableDefender, type TableRequest } from "../../src/eval/compositional/index.js";
import { Runtime } from "../../src/graph/runtime.js";
import type { CompositionPolicy } from "../../src/guards/privacy/index.js";
import type { MessageGuard } from "../../src/guards/types.js";

const table = (rows: Array<Record<string, unknown>>): TableData => ({
  sensitivity: "sensitive",
  rows,
  columns: [...new Set(rows.flatMap((r) => Object.keys(r)))],
});

/** Alice asks; Bea, Cal and Dov defend. L = Alice/roster + Bea/meds + Cal/homes. */
export const TABLES: Record<string, Record<string, TableData>> = {
  Alice: {
    roster: table([
      { id: 1, name: "Ama" },
      { id: 2, name: "Ben" },
    ]),
  },
  Bea: {
    meds: table([
      { id: 1, drug: "x" },
      { id: 2, drug: "y" },
      { id: 3, drug: "z" },
    ]),
    rota: table([{ id: 1, day: "Mon" }]),
  },
  Cal: {
    homes: table([
      { id: 1, street: "Elm" },
      { id: 2, street: "Oak" },
    ]),
    rooms: table([{ room: 4 }]),
  },
  Dov: { vans: table([{ van: "V1" }]) },
};

export const POLICY: CompositionPolicy = {
  sensitive: [
    { owner: "Alice", table: "roster" },
    { owner: "Bea", table: "meds" },
    { owner: "Cal", table: "homes" },
  ],
  owned: Object.fromEntries(
    Object.entries(TABLES).map(([a, t]) => [a, Object.keys(t).map((name) => ({ owner: a, table: name }))]),
  ),
};

export class World {
  readonly runtime: Runtime;
  readonly defenders: Map<string, TableDefender>;
  private step = 0;

  constructor(guards: MessageGuard[]) {
    this.runtime = new Runtime({ runId: "w", guards: { message: guards } });
    this.defenders = new Map(
      ["Bea", "Cal", "Dov"].map((d) => [d, new TableDefender(d, TABLES[d] ?? {}, this.runtime)]),
    );
  }

  /** Alice asks `owner` directly; returns what reached Alice. */
  async ask(owner: string, request: TableRequest): Promise<{ reply: Item | null; decision: string }> {
    this.step += 3;
    const q = await this.runtime.send({
      from: "Alice",
      to: [owner],
      step: this.step,
      kind: "query",
      content: { text: "please" },
      derivedFrom: [],
    });
    if (!q.delivered) return { reply: null, decision: q.decision };
    const r = await (this.defenders.get(owner) as TableDefender).answer(
      q.delivered,
      request,
      "Alice",
      this.step + 1,
    );
    return { reply: r.delivered, decision: r.decision };
  }

  /** Alice asks `via` to fetch from `owner` and pass it on. */
  async relay(
    via: string,
    owner: string,
    request: TableRequest,
  ): Promise<{ reply: Item | null; decision: string }> {
    this.step += 4;
    const content = { text: "fetch it", owner, request };
    const q = await this.runtime.send({
      from: "Alice",
      to: [via],
      step: this.step,
      kind: "query",
      content,
      derivedFrom: [],
    });
    if (!q.delivered) return { reply: null, decision: q.decision };
    const relay = this.defenders.get(via) as TableDefender;
    const r = await relay.relay(
      q.delivered,
      content,
      this.defenders.get(owner) as TableDefender,
      "Alice",
      this.step + 1,
    );
    return { reply: r.delivered, decision: r.decision };
  }
}
