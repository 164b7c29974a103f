import fc from "fast-check";
import { describe, expect, it } from "vitest";
import type { Item } from "../../src/core/index.js";
import { buildIdg, extractTokens, findRootCause, type TraceInput } from "../../src/trace/index.js";

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

function items(entries: Array<[string, string]>): Item[] {
  return entries.map(([author, content], i) => ({
    id: `s${i}`,
    runId: "r",
    step: i,
    author,
    kind: author === "terminal" ? "tool_result" : "message",
    content,
    audience: ["*"],
    sensitivity: "internal",
    labels: [],
    derivedFrom: [],
  }));
}

describe("IDG properties on arbitrary imported logs", () => {
  it("edges point forward, stay within (0,1), number at most two per reused token, and the search never throws", () => {
    fc.assert(
      fc.property(fc.array(fc.tuple(agent, text), { minLength: 1, maxLength: 25 }), (entries) => {
        const input: TraceInput = {
          source: "imported",
          origin: "prop",
          task: "t",
          items: items(entries),
          events: [],
          finalAnswer: null,
        };
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
