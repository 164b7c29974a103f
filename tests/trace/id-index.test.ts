import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { IdIndex } from "../../src/trace/id-index.js";

const keysOf = (ids: string[]) => ids.map((id) => ({ id }));

/** What a Map gives: the last position of each id, undefined for an unknown one. */
function mapIndex(ids: string[]): Map<string, number> {
  const m = new Map<string, number>();
  for (const [i, id] of ids.entries()) m.set(id, i);
  return m;
}

describe("IdIndex", () => {
  it("finds every id and answers -1 for unknown ones", () => {
    const ids = Array.from({ length: 5000 }, (_, i) => `i${i}`);
    const index = new IdIndex(keysOf(ids));
    for (let i = 0; i < ids.length; i++) expect(index.get(`i${i}`)).toBe(i);
    expect(index.get("i5000")).toBe(-1);
    expect(index.get("")).toBe(-1);
    expect(new IdIndex([]).get("x")).toBe(-1);
  });

  it("keeps the later position of a repeated id, as Map.set does, near lookups included", () => {
    const ids = ["a", "b", "a", "c", "b"];
    const index = new IdIndex(keysOf(ids));
    expect(index.get("a")).toBe(2);
    expect(index.get("b")).toBe(4);
    // "a" occurs at 0 within the window before position 1, but the table's answer is 2.
    expect(index.getNear("a", 1)).toBe(2);
  });

  it("agrees with a Map on any ids, with get and with getNear from any position", () => {
    const id = fc.oneof(
      fc.string({ maxLength: 6 }),
      fc.constantFrom("i1", "i2", "i10", "tool:x", "é", "\u0000", "a".repeat(40)),
    );
    fc.assert(
      fc.property(fc.array(id, { maxLength: 60 }), fc.array(id, { maxLength: 10 }), (ids, probes) => {
        const index = new IdIndex(keysOf(ids));
        const expected = mapIndex(ids);
        for (const key of [...ids, ...probes]) {
          const want = expected.get(key) ?? -1;
          expect(index.get(key)).toBe(want);
          for (let before = 0; before <= ids.length; before += 7)
            expect(index.getNear(key, before)).toBe(want);
        }
      }),
      { numRuns: 300 },
    );
  });
});
