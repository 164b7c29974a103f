import { describe, expect, it } from "vitest";
import { EventLog } from "../../src/core/index.js";
import {
  columnLabel,
  DisclosureLedger,
  disclosedKeys,
  ledgerFor,
  rowLabel,
  sourceLabel,
  VAGUE_LABEL,
} from "../../src/memory/index.js";

const RUN = "r1";
const salaries = { owner: "Omar", table: "salaries" };

function toolResult(log: EventLog, rows: number[], columns: string[] = ["id", "pay"]) {
  return log.add(RUN, {
    step: 1,
    author: "tool:read_table",
    kind: "tool_result",
    content: { rows: rows.map((id) => ({ id })) },
    audience: ["Omar"],
    labels: [
      sourceLabel(salaries),
      ...rows.map((r) => rowLabel(salaries, r)),
      ...columns.map((c) => columnLabel(salaries, c)),
    ],
  });
}

describe("DisclosureLedger", () => {
  it("follows an answer to the table rows it was derived from", () => {
    const log = new EventLog();
    const result = toolResult(log, [0, 2]);
    const answer = log.add(RUN, {
      step: 2,
      author: "Omar",
      kind: "answer",
      content: "free text that names no table at all",
      audience: ["Alice"],
      derivedFrom: [result.id],
    });
    log.deliver(answer.id, "Alice", 2, "message");
    const held = new DisclosureLedger(log).heldBy(RUN, "Alice");
    expect(held.get("Omar/salaries")).toEqual({
      owner: "Omar",
      table: "salaries",
      level: "rows",
      rows: [0, 2],
      columns: ["id", "pay"],
    });
  });

  it("follows a relay: a peer's forward carries the original owner's table", () => {
    const log = new EventLog();
    const result = toolResult(log, [1]);
    const toPeer = log.add(RUN, {
      step: 2,
      author: "Omar",
      kind: "answer",
      content: "x",
      audience: ["Pia"],
      derivedFrom: [result.id],
    });
    log.deliver(toPeer.id, "Pia", 2, "message");
    const forward = log.add(RUN, {
      step: 3,
      author: "Pia",
      kind: "answer",
      content: "y",
      audience: ["Alice"],
      derivedFrom: [toPeer.id],
    });
    log.deliver(forward.id, "Alice", 3, "message");
    const ledger = new DisclosureLedger(log);
    expect([...disclosedKeys(ledger.heldBy(RUN, "Alice"))]).toEqual(["Omar/salaries"]);
    // Per author: Alice got it from Pia, not from Omar directly.
    expect(ledger.heldBy(RUN, "Alice", { from: "Omar" }).size).toBe(0);
    expect(ledger.heldBy(RUN, "Alice", { from: "Pia" }).size).toBe(1);
  });

  it("unions pieces of one table delivered across turns", () => {
    const log = new EventLog();
    for (const rows of [
      [0, 1],
      [2, 3],
    ]) {
      const result = toolResult(log, rows, ["pay"]);
      const a = log.add(RUN, {
        step: 2,
        author: "Omar",
        kind: "answer",
        content: "",
        audience: ["Alice"],
        derivedFrom: [result.id],
      });
      log.deliver(a.id, "Alice", 2, "message");
    }
    expect(ledgerFor(log).heldBy(RUN, "Alice").get("Omar/salaries")?.rows).toEqual([0, 1, 2, 3]);
  });

  it("counts a vague replacement as an aggregate, not as the rows it was made from", () => {
    const log = new EventLog();
    const result = toolResult(log, [0, 1, 2]);
    const withheld = log.add(RUN, {
      step: 2,
      author: "Omar",
      kind: "answer",
      content: "rows",
      audience: ["Omar"],
      labels: ["withheld"],
      derivedFrom: [result.id],
    });
    const vague = log.add(RUN, {
      step: 2,
      author: "Omar",
      kind: "answer",
      content: { rowCount: 3 },
      audience: ["Alice"],
      labels: [VAGUE_LABEL],
      derivedFrom: [withheld.id],
    });
    log.deliver(vague.id, "Alice", 2, "message");
    const held = ledgerFor(log).heldBy(RUN, "Alice");
    expect(held.get("Omar/salaries")).toMatchObject({ level: "vague", rows: [], columns: [] });
    expect(disclosedKeys(held).size).toBe(0);
  });

  it("a draft not in the log yet is assessed from its parents", () => {
    const log = new EventLog();
    const result = toolResult(log, [4]);
    const carried = ledgerFor(log).carriedByDraft({ labels: [], derivedFrom: [result.id] });
    expect([...disclosedKeys(carried)]).toEqual(["Omar/salaries"]);
    expect(
      ledgerFor(log)
        .carriedByDraft({ labels: [VAGUE_LABEL], derivedFrom: [result.id] })
        .get("Omar/salaries")?.level,
    ).toBe("vague");
  });

  it("what was never delivered is not held", () => {
    const log = new EventLog();
    const result = toolResult(log, [0]);
    log.add(RUN, {
      step: 2,
      author: "Omar",
      kind: "answer",
      content: "",
      audience: ["Omar"],
      derivedFrom: [result.id],
    });
    expect(ledgerFor(log).heldBy(RUN, "Alice").size).toBe(0);
  });
});
