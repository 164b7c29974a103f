import { describe, expect, it } from "vitest";
import { CoDefGuard } from "../../src/guards/privacy/index.js";
import { disclosedKeys, ledgerFor } from "../../src/memory/index.js";
import { POLICY, World } from "./world.js";

const VOTERS = ["Bea", "Cal", "Dov"];

describe("CoDefGuard (symbolic voters)", () => {
  it("every defender votes; a B blocks the answer that would complete L", async () => {
    const w = new World([new CoDefGuard({ policy: POLICY, voters: VOTERS })]);
    expect((await w.ask("Bea", { table: "meds" })).decision).toBe("allow");
    const r = await w.ask("Cal", { table: "homes" });
    expect(r.decision).toBe("block");
    const verdict = w.runtime.log
      .items({ kind: "verdict" })
      .map((v) => v.content as { decision: string; rationale: string })
      .at(-1);
    expect(verdict?.rationale).toMatch(/Bea->Alice:B/);
    expect(verdict?.rationale).toMatch(/Dov->Alice:B/);
  });

  it("queries need no vote", async () => {
    const w = new World([new CoDefGuard({ policy: POLICY, voters: VOTERS })]);
    await w.ask("Dov", { table: "vans" });
    const first = w.runtime.log.items({ kind: "verdict" })[0]?.content as { rationale: string };
    expect(first.rationale).toMatch(/no vote needed/);
  });

  it("with a vague zone, the owner votes C: the asker gets counts, and the ledger does not count the rows", async () => {
    const w = new World([new CoDefGuard({ policy: POLICY, voters: VOTERS, vagueAt: "all-but-one" })]);
    const r = await w.ask("Bea", { table: "meds" });
    expect(r.decision).toBe("vague");
    expect(r.reply?.labels).toContain("vague");
    expect(r.reply?.content).toEqual({
      kind: "aggregate",
      note: "only counts can be shared for this request",
      tables: [{ owner: "Bea", table: "meds", columns: ["drug", "id"], rowCount: 3 }],
    });
    expect(JSON.stringify(r.reply?.content)).not.toMatch(/"x"|"y"|"z"/);
    expect(disclosedKeys(ledgerFor(w.runtime.log).heldBy("w", "Alice")).has("Bea/meds")).toBe(false);
    // Since meds went out vague, homes no longer completes L: it goes through, and L stays incomplete.
    expect((await w.ask("Cal", { table: "homes" })).decision).toBe("vague");
  });

  it("self-voting sees only its own exchanges and misses a composition across defenders", async () => {
    const w = new World([new CoDefGuard({ policy: POLICY, voters: VOTERS, selfVoting: { repeats: 3 } })]);
    await w.ask("Bea", { table: "meds" });
    const r = await w.ask("Cal", { table: "homes" });
    expect(r.decision).toBe("allow");
    const verdict = w.runtime.log.items({ kind: "verdict" }).at(-1)?.content as {
      guard: string;
      rationale: string;
    };
    expect(verdict.guard).toBe("self-voting");
    expect(verdict.rationale.match(/Cal->Alice:A/g)).toHaveLength(3);
  });

  it("self-voting still blocks what one defender alone would complete", async () => {
    const policy = {
      ...POLICY,
      sensitive: [
        { owner: "Alice", table: "roster" },
        { owner: "Bea", table: "meds" },
      ],
    };
    const w = new World([new CoDefGuard({ policy, voters: VOTERS, selfVoting: { repeats: 2 } })]);
    expect((await w.ask("Bea", { table: "meds", columns: ["id"] })).decision).toBe("block");
  });
});

describe("guard options", () => {
  it("a bad policy or no voters is the caller's mistake, named by field", () => {
    expect(() => new CoDefGuard({ policy: { ...POLICY, sensitive: [] }, voters: ["Bea"] })).toThrow(
      expect.objectContaining({ code: "user_input", field: "policy.sensitive" }),
    );
    expect(() => new CoDefGuard({ policy: POLICY, voters: [] })).toThrow(
      expect.objectContaining({ code: "user_input", field: "voters" }),
    );
  });
});
