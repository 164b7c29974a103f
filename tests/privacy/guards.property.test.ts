import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { type TableData, TableDefender, type TableRequest } from "../../src/eval/compositional/index.js";
import { Runtime } from "../../src/graph/runtime.js";
import { CoDefGuard, type CompositionPolicy, TomGuard } from "../../src/guards/privacy/index.js";
import type { MessageGuard } from "../../src/guards/types.js";
import { disclosedKeys, ledgerFor, tableKey } from "../../src/memory/index.js";

interface Spec {
  /** Tables per agent; agent 0 is the asker. */
  tableCounts: number[];
  rowCount: number;
  /** Indices into the flat table list that form L. */
  lPick: number[];
  actions: Array<{
    kind: "direct" | "relay" | "piece" | "column";
    table: number;
    via: number;
    row: number;
    column: number;
  }>;
}

const agentName = (i: number) => (i === 0 ? "Asker" : `D${i}`);

const specArb = fc
  .record({
    tableCounts: fc.array(fc.integer({ min: 1, max: 3 }), { minLength: 3, maxLength: 5 }),
    rowCount: fc.integer({ min: 1, max: 4 }),
    lPick: fc.uniqueArray(fc.nat({ max: 14 }), { minLength: 2, maxLength: 6 }),
    actions: fc.array(
      fc.record({
        kind: fc.constantFrom("direct", "relay", "piece", "column"),
        table: fc.nat(),
        via: fc.nat(),
        row: fc.nat(),
        column: fc.nat({ max: 1 }),
      }),
      { minLength: 1, maxLength: 25 },
    ),
  })
  .map((s) => s as Spec);

function build(spec: Spec) {
  const tables: Record<string, Record<string, TableData>> = {};
  const flat: Array<{ owner: string; table: string }> = [];
  spec.tableCounts.forEach((n, a) => {
    const own: Record<string, TableData> = {};
    for (let t = 0; t < n; t++) {
      const name = `t${a}_${t}`;
      own[name] = {
        sensitivity: "sensitive",
        rows: Array.from({ length: spec.rowCount }, (_, r) => ({ id: r, v: `${name}-${r}` })),
        columns: ["id", "v"],
      };
      flat.push({ owner: agentName(a), table: name });
    }
    tables[agentName(a)] = own;
  });
  const sensitive = [...new Set(spec.lPick.map((i) => i % flat.length))].map(
    (i) => flat[i] as { owner: string; table: string },
  );
  const owned = Object.fromEntries(
    Object.entries(tables).map(([a, t]) => [a, Object.keys(t).map((table) => ({ owner: a, table }))]),
  );
  const policy: CompositionPolicy = { sensitive, owned };
  return { tables, flat, policy };
}

/** Plays the actions: questions from the asker to defenders, directly, through a peer, in pieces or by column. */
async function play(
  spec: Spec,
  guard: (p: CompositionPolicy, defenders: string[]) => MessageGuard,
  allowed: Array<"direct" | "relay" | "piece" | "column">,
) {
  const { tables, flat, policy } = build(spec);
  const defenderNames = spec.tableCounts.slice(1).map((_, i) => agentName(i + 1));
  const runtime = new Runtime({ runId: "p", guards: { message: [guard(policy, defenderNames)] } });
  const defenders = new Map(defenderNames.map((d) => [d, new TableDefender(d, tables[d] ?? {}, runtime)]));
  const external = flat.filter((t) => t.owner !== "Asker");
  const decisions: string[] = [];
  const touched = new Set<string>();
  let step = 0;
  for (const a of spec.actions) {
    if (!allowed.includes(a.kind)) continue;
    const target = external[a.table % external.length] as { owner: string; table: string };
    touched.add(tableKey(target));
    const request: TableRequest =
      a.kind === "piece"
        ? { table: target.table, rows: [a.row % spec.rowCount] }
        : a.kind === "column"
          ? { table: target.table, columns: [a.column === 0 ? "id" : "v"] }
          : { table: target.table };
    step += 4;
    const owner = defenders.get(target.owner) as TableDefender;
    const peers = defenderNames.filter((d) => d !== target.owner);
    const via = a.kind === "relay" && peers.length > 0 ? peers[a.via % peers.length] : undefined;
    const content = { text: "q", owner: target.owner, request };
    const q = await runtime.send({
      from: "Asker",
      to: [via ?? target.owner],
      step,
      kind: "query",
      content,
      derivedFrom: [],
    });
    if (!q.delivered) continue;
    const r = via
      ? await (defenders.get(via) as TableDefender).relay(q.delivered, content, owner, "Asker", step + 1)
      : await owner.answer(q.delivered, request, "Asker", step + 1);
    decisions.push(r.decision);
  }
  return { runtime, policy, decisions, touched };
}

function holdsAll(runtime: Runtime, policy: CompositionPolicy, agent: string): boolean {
  const held = new Set([
    ...disclosedKeys(ledgerFor(runtime.log).heldBy(runtime.runId, agent)),
    ...(policy.owned[agent] ?? []).map(tableKey),
  ]);
  return policy.sensitive.every((r) => held.has(tableKey(r)));
}

const guards = {
  tom: (p: CompositionPolicy) => new TomGuard({ policy: p }),
  codef: (p: CompositionPolicy, voters: string[]) => new CoDefGuard({ policy: p, voters }),
};

describe.each(Object.entries(guards))("%s guard properties", (_name, make) => {
  it("no agent ever comes to hold all of L, whatever the order, route or pieces of the questions", async () => {
    await fc.assert(
      fc.asyncProperty(specArb, async (spec) => {
        const { runtime, policy } = await play(spec, make, ["direct", "relay", "piece", "column"]);
        for (const a of spec.tableCounts.map((_, i) => agentName(i))) {
          const ownsAll = policy.sensitive.every((r) => r.owner === a);
          if (!ownsAll) expect(holdsAll(runtime, policy, a)).toBe(false);
        }
      }),
      { numRuns: 150 },
    );
  });

  it("questions that touch a strict subset of L (with the asker's own tables) all pass", async () => {
    await fc.assert(
      fc.asyncProperty(specArb, async (spec) => {
        const { decisions, touched, policy } = await play(spec, make, ["direct", "piece", "column"]);
        const reach = new Set([...touched, ...(policy.owned["Asker"] ?? []).map(tableKey)]);
        fc.pre(!policy.sensitive.every((r) => reach.has(tableKey(r))));
        expect(decisions.every((d) => d === "allow")).toBe(true);
      }),
      { numRuns: 150 },
    );
  });

  it("without a guard the same questions do let the asker hold L (the property is not vacuous)", async () => {
    const spec: Spec = {
      tableCounts: [1, 1, 1],
      rowCount: 2,
      lPick: [0, 1, 2],
      actions: [
        { kind: "direct", table: 0, via: 0, row: 0, column: 0 },
        { kind: "relay", table: 1, via: 0, row: 0, column: 0 },
      ],
    };
    const none = await play(
      spec,
      () => ({
        name: "none",
        checkMessage: () => ({
          guard: "none",
          hook: "message",
          decision: "allow",
          flagged: false,
          rationale: "",
        }),
      }),
      ["direct", "relay"],
    );
    expect(holdsAll(none.runtime, none.policy, "Asker")).toBe(true);
    const guarded = await play(spec, make, ["direct", "relay"]);
    expect(holdsAll(guarded.runtime, guarded.policy, "Asker")).toBe(false);
  });
});
