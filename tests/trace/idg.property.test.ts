import fc from "fast-check";
import { describe, expect, it } from "vitest";
import {
  buildIdg,
  extractTokens,
  findRootCause,
  type TraceInput,
  tokenNeedle,
} from "../../src/trace/index.js";
import { importedItems as items } from "./fixtures.js";

const words = [
  "alpha",
  "Beta Gamma",
  "4321",
  "12.5",
  "report.csv",
  "https://ex.example.org/a",
  "load_rows(",
  '"quoted value"',
  "7",
  "exitcode: 1",
  "assuming",
];
const text = fc.array(fc.constantFrom(...words), { maxLength: 12 }).map((ws) => ws.join(" "));
const agent = fc.constantFrom("Ann", "Bob", "terminal");

function importedLog(entries: Array<[string, string]>): TraceInput {
  return {
    source: "imported",
    origin: "prop",
    task: "t",
    items: items(entries),
    events: [],
    finalAnswer: null,
  };
}

describe("IDG properties on arbitrary imported logs", () => {
  it("edges point forward, stay within (0,1), number at most two per reused token, and the search never throws", () => {
    fc.assert(
      fc.property(fc.array(fc.tuple(agent, text), { minLength: 1, maxLength: 25 }), (entries) => {
        const input = importedLog(entries);
        const idg = buildIdg(input, { minConfidence: 0 });
        const index = new Map(idg.nodes.map((n) => [n.id, n.index]));
        for (const e of idg.edges) {
          expect(index.get(e.from) ?? -1).toBeLessThan(index.get(e.to) ?? -1);
          expect(e.confidence).toBeGreaterThan(0);
          expect(e.confidence).toBeLessThan(1);
        }
        const tokens = idg.nodes.reduce((sum, n) => sum + extractTokens(n.text).length, 0);
        expect(idg.edges.length).toBeLessThanOrEqual(2 * tokens);
        const report = findRootCause(input, idg);
        for (const c of report.candidates) expect(idg.node(c.itemId)?.role).toBe("agent");
      }),
      { numRuns: 200, seed: 7 },
    );
  });
});

const tricky = [
  "Revenue was 9,999,999 USD",
  "or 9999999.50%",
  "-1,234.5",
  '"see (data.csv)now and then"',
  "'Big Acme Corp'",
  "The Grand Duchy Of Nowhere",
  "https://Data.Example.org/Notes/",
  "out/Sales_2023.CSV",
  "loadRows(",
  "row_count",
  "“Ünïcode quoted”",
  "`code span here`",
  "+42",
  "3.14159",
];
const richText = fc
  .tuple(
    fc.array(fc.oneof(fc.constantFrom(...words, ...tricky), fc.string({ maxLength: 12 })), { maxLength: 10 }),
    fc.constantFrom(" ", "  ", "\n", ", "),
  )
  .map(([ws, sep]) => ws.join(sep));

describe("the root-cause search's shortcuts agree with the full graph", () => {
  it("every token's needle occurs in every text the token is found in, whatever the case", () => {
    fc.assert(
      fc.property(richText, (t) => {
        for (const token of extractTokens(t)) {
          const needle = tokenNeedle(token.key);
          if (needle === "") continue; // an empty needle turns the shortcut off
          const escaped = needle.replace(/[.*+?^${}()|[\]\\]/g, "\\$&");
          expect(new RegExp(escaped, "i").test(t), `${token.key} -> ${needle} in ${JSON.stringify(t)}`).toBe(
            true,
          );
        }
      }),
      { numRuns: 500, seed: 11 },
    );
  });

  it("adjacency arrays list exactly each node's edges, and every chain is a shortest path down to the symptom", () => {
    fc.assert(
      fc.property(fc.array(fc.tuple(agent, text), { minLength: 2, maxLength: 25 }), (entries) => {
        const input = importedLog(entries);
        const idg = buildIdg(input, { minConfidence: 0 });
        for (const node of idg.nodes) {
          expect(idg.parents(node.id)).toEqual(idg.edges.filter((e) => e.to === node.id));
          expect(idg.children(node.id)).toEqual(idg.edges.filter((e) => e.from === node.id));
        }
        const report = findRootCause(input, idg);
        const symptom = report.symptom?.itemId;
        for (const c of report.candidates) {
          const reach = shortestDown(idg, c.itemId, symptom ?? "");
          if (reach === null) {
            expect(c.chain).toEqual([c.itemId]);
            continue;
          }
          expect(c.chain.length - 1).toBe(reach);
          expect(c.chain[c.chain.length - 1]).toBe(symptom);
          for (let i = 0; i + 1 < c.chain.length; i++)
            expect(idg.children(c.chain[i] as string).some((e) => e.to === c.chain[i + 1])).toBe(true);
        }
      }),
      { numRuns: 200, seed: 5 },
    );
  });
});

/** Edges on the shortest path from `from` down to `to` (plain breadth-first search), null if none. */
function shortestDown(idg: ReturnType<typeof buildIdg>, from: string, to: string): number | null {
  const dist = new Map([[from, 0]]);
  const queue = [from];
  for (let head = 0; head < queue.length; head++) {
    const cur = queue[head] as string;
    if (cur === to) return dist.get(cur) ?? null;
    for (const e of idg.children(cur)) {
      if (dist.has(e.to)) continue;
      dist.set(e.to, (dist.get(cur) ?? 0) + 1);
      queue.push(e.to);
    }
  }
  return null;
}
