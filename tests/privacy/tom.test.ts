import { describe, expect, it } from "vitest";
import { TomGuard } from "../../src/guards/privacy/index.js";
import { disclosedKeys, ledgerFor } from "../../src/memory/index.js";
import { POLICY, World } from "./world.js";

const held = (w: World, agent: string) =>
  [...disclosedKeys(ledgerFor(w.runtime.log).heldBy("w", agent))].sort();

describe("TomGuard (symbolic)", () => {
  it("lets answers through until one would complete L, and blocks that one with a verdict item", async () => {
    const w = new World([new TomGuard({ policy: POLICY })]);
    expect((await w.ask("Bea", { table: "meds" })).decision).toBe("allow");
    expect((await w.ask("Dov", { table: "vans" })).decision).toBe("allow");
    const last = await w.ask("Cal", { table: "homes" });
    expect(last.decision).toBe("block");
    expect(last.reply).toBeNull();
    expect(held(w, "Alice")).toEqual(["Bea/meds", "Dov/vans"]);
    const verdicts = w.runtime.log
      .items({ kind: "verdict" })
      .map((v) => v.content as { decision: string; rationale: string });
    const block = verdicts.find((v) => v.decision === "block");
    expect(block?.rationale).toMatch(/Alice would hold 3 of 3/);
    expect(block?.rationale).toMatch(/adds Cal\/homes/);
  });

  it("decides from provenance, not from what the answer or query says", async () => {
    const w = new World([new TomGuard({ policy: POLICY })]);
    await w.ask("Cal", { table: "homes" });
    // The query names an innocuous table, and the tool reads meds anyway: the ledger sees meds.
    const q = await w.runtime.send({
      from: "Alice",
      to: ["Bea"],
      step: 50,
      kind: "query",
      content: { text: "just the rota please" },
      derivedFrom: [],
    });
    const r = await w.defenders
      .get("Bea")
      ?.answer(q.delivered as NonNullable<typeof q.delivered>, { table: "meds" }, "Alice", 51);
    expect(r?.decision).toBe("block");
  });

  it("catches a relay: the forward from a peer carries the owner's table", async () => {
    const w = new World([new TomGuard({ policy: POLICY })]);
    expect((await w.ask("Bea", { table: "meds" })).decision).toBe("allow");
    const relayed = await w.relay("Dov", "Cal", { table: "homes" });
    expect(relayed.decision).toBe("block");
    expect(held(w, "Alice")).toEqual(["Bea/meds"]);
    // Dov itself may hold homes: alone it is harmless.
    expect(held(w, "Dov")).toContain("Cal/homes");
  });

  it("catches a table asked in pieces: the first piece already counts", async () => {
    const w = new World([new TomGuard({ policy: POLICY })]);
    await w.ask("Bea", { table: "meds", rows: [0] });
    await w.ask("Bea", { table: "meds", rows: [1, 2] });
    expect((await w.ask("Cal", { table: "homes", rows: [0] })).decision).toBe("block");
  });

  it("threshold all-but-one blocks one table earlier", async () => {
    const w = new World([new TomGuard({ policy: POLICY, threshold: "all-but-one" })]);
    // Alice owns roster: meds would leave her one table short of L.
    expect((await w.ask("Bea", { table: "meds" })).decision).toBe("block");
    expect((await w.ask("Bea", { table: "rota" })).decision).toBe("allow");
  });

  it("queries and answers outside L pass", async () => {
    const w = new World([new TomGuard({ policy: POLICY })]);
    for (const [owner, t] of [
      ["Bea", "rota"],
      ["Cal", "rooms"],
      ["Dov", "vans"],
    ] as const) {
      expect((await w.ask(owner, { table: t })).decision).toBe("allow");
    }
  });
});
