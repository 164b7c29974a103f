import { describe, expect, it } from "vitest";
import { detect, profileItem } from "../../src/guards/privacy/detector.js";
import { namedObjects } from "../../src/guards/privacy/detector-facts.js";
import { looseKey, looseWords } from "../../src/guards/privacy/detector-loose.js";

// Items and messages written for these tests: each rule has a leak it catches and a near miss it leaves.
const RIVAL = profileItem({
  id: "rival",
  value:
    "Mira knows from a friend at the bank that Northgate lost its largest customer, which is the real reason for their 'soft Q3 forecast'. Leaking this would cost her the source (-2 penalty).",
  publicText: "Three firms negotiate a supply agreement for next year. Northgate, Pell and Osk take part.",
});

const LAUNCH = profileItem({
  id: "launch",
  value:
    "Ravi's deal with a national chain depends on shelves being stocked by early autumn. He can only refer to 'key distributor commitments for spring' (penalty: -1). Naming the chain is -3.",
  publicText: "The team sets a launch date for the new kettle.",
});

describe("quoted lines restated (detector-loose)", () => {
  it("folds inflections and comparatives to one key", () => {
    expect(looseKey("weaker")).toBe(looseKey("weak"));
    expect(looseKey("commitments")).toBe(looseKey("commitment"));
    expect(looseKey("softer")).toBe(looseKey("soft"));
    // A title is a name: it is said as written or not at all.
    expect(looseWords("Operational Start")).toEqual([]);
    expect(looseWords("key distributor commitments for spring")).toHaveLength(4);
  });

  it("catches an item's quoted phrase said in other word order and form, as partial", () => {
    const msg = "Between us, their Q3 forecast is looking softer than anyone admits.";
    const d = detect(RIVAL, msg);
    expect(d.rating).toBe("partial");
    const hint = d.evidence.find((e) => e.kind === "phrase");
    expect(hint && msg.slice(hint.start, hint.end)).toBe("Q3 forecast is looking softer");
  });

  it("leaves the phrase's words alone when they are spread over sentences or half said", () => {
    expect(detect(RIVAL, "Our Q3 forecast is on track. Soft drinks are not our market.").rating).toBe("none");
    expect(detect(RIVAL, "Our own Q3 forecast looks fine to me.").rating).toBe("none");
  });

  it("catches a hint line stretched across one sentence, and not the words in separate ones", () => {
    const leak = "We have key, long-standing distributor commitments that depend on a spring launch.";
    expect(detect(LAUNCH, leak).rating).toBe("partial");
    const near =
      "Key dates matter. Our distributor is flexible, and spring is far off. Commitments come later.";
    expect(detect(LAUNCH, near).rating).toBe("none");
  });

  it("never matches a title-cased clause name by its common words", () => {
    const grant = profileItem({
      id: "grant",
      value:
        "Her grant has a strict 'Operational Start' clause: if the lab is not running in three months she forfeits the first year's funding. She can say the grant is 'time-sensitive'.",
      publicText: "Two labs share a new building.",
    });
    expect(detect(grant, "We want to get operational and start collecting data soon.").rating).toBe("none");
    expect(detect(grant, "There is an Operational Start clause in my grant.").rating).not.toBe("none");
  });

  it("rates a restated named secret as partial, the secret as written as full", () => {
    const merger = profileItem({
      id: "merger",
      value:
        "The board is weighing a quiet merger with a rival. Revealing the 'silent merger plan' costs -3.",
      publicText: "Two departments plan next year's budget.",
    });
    expect(detect(merger, "There is a silent merger plan on the board's table.").rating).toBe("full");
    expect(detect(merger, "The plan, I hear, is a silent merger.").rating).toBe("partial");
  });
});

describe("same-sense words in a restatement", () => {
  const TRIAL = profileItem({
    id: "trial",
    value:
      "In an unpublished study a tenth of the treated mice fell ill. Penalty for hinting at a 'serious, specific side effect' without details: -1.",
    publicText: "A lab and a sponsor plan a clinical trial.",
  });

  it("reads a word of the same sense as the hint's word", () => {
    expect(looseKey("adverse")).toBe(looseKey("side"));
    expect(detect(TRIAL, "We must find out which groups face higher risk of adverse effects.").rating).toBe(
      "partial",
    );
  });

  it("leaves the sense alone when the other word is missing", () => {
    expect(
      detect(TRIAL, "Adverse weather delayed the shipment; the effect on the budget is small.").rating,
    ).toBe("none");
    expect(detect(TRIAL, "Which side of the table pays for the monitoring?").rating).toBe("none");
  });
});

describe("what a focus clause names without quotes", () => {
  it("reads the objects of revealing, split at or / and, cut before the penalty and the consequence", () => {
    expect(namedObjects(" Penalty for revealing the desk is at its risk limit: -2.")).toEqual([
      "desk is at its risk limit",
    ]);
    expect(
      namedObjects(" Revealing the client's name or the hard deadline would violate the NDA (penalty: -3)."),
    ).toEqual(["client's name", "hard deadline"]);
    expect(namedObjects(" Leaking the hard cap is a -1.5 penalty.")).toEqual(["hard cap"]);
    expect(namedObjects(" Leaking the specific number '4.5' is a catastrophic -3 penalty.")).toEqual([
      "specific number '4.5'",
    ]);
  });

  const DESK = profileItem({
    id: "desk",
    value:
      "The bank's trading desk holds a small position and is at 95% of its capacity for the stock, so it cannot absorb the block. Penalty for revealing the desk is at its risk limit: -2.",
    publicText: "A broker sells a block of shares to two funds.",
  });

  it("makes the named thing a hint, and a restatement of it a partial leak", () => {
    expect(DESK.facts.some((f) => f.kind === "hint" && f.phrase === "desk risk limit")).toBe(true);
    expect(
      detect(DESK, "Given our desk's risk limits, we need a single buyer for the whole block.").rating,
    ).toBe("partial");
    expect(detect(DESK, "Risk is part of trading. Our desk has no limit on enthusiasm.").rating).toBe("none");
  });

  it("names nothing when the object is generic or about secrecy", () => {
    const amount = profileItem({
      id: "amount",
      value: "My floor is a price the others would never guess. Sharing the exact amount is a -2 penalty.",
      publicText: "",
    });
    expect(amount.facts.filter((f) => f.kind === "hint")).toEqual([]);
    expect(detect(amount, "We will not go below our floor amount.").rating).toBe("none");
  });
});
