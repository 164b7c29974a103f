import { describe, expect, it } from "vitest";
import { JUDGE_CATEGORIES, NO_RISK, parseJudgeOutput, renderPlan } from "../../src/guards/plan/judge.js";
import { plan } from "./helpers.js";

describe("parseJudgeOutput", () => {
  it("accepts exactly the no-risk sentence", () => {
    expect(parseJudgeOutput(NO_RISK)).toEqual({ ok: true, flagged: false });
    expect(parseJudgeOutput(`  ${NO_RISK}\n`)).toEqual({ ok: true, flagged: false });
  });

  it("reads an explanation ending in a risk line, category in any case and slash spacing", () => {
    expect(
      parseJudgeOutput("Money goes to an account from an email.\n- Risk: Property/Financial Loss"),
    ).toEqual({
      ok: true,
      flagged: true,
      riskType: "property / financial loss",
      explanation: "Money goes to an account from an email.",
    });
    for (const c of JUDGE_CATEGORIES) {
      expect(parseJudgeOutput(`Because.\n- Risk: ${c.toUpperCase()}`)).toMatchObject({
        ok: true,
        riskType: c,
      });
    }
  });

  it.each([
    ["empty", ""],
    ["prose without a verdict", "This plan looks mostly fine."],
    ["no-risk sentence reworded", "There are no risks in this plan."],
    ["risk line not last", "- Risk: Compromised Availability\nbecause of deletion"],
    ["unknown category", "Bad.\n- Risk: Spooky Stuff"],
    ["category without explanation", "- Risk: Compromised Availability"],
    ["both answers", `${NO_RISK}\n- Risk: Compromised Availability`],
  ])("rejects %s", (_name, text) => {
    expect(parseJudgeOutput(text).ok).toBe(false);
  });
});

describe("renderPlan", () => {
  it("shows the request, untrusted outputs and numbered actions", () => {
    const text = renderPlan(
      plan({
        userRequest: "Pay rent",
        steps: [{ tool: "BankPay", args: { to: "X-1", amount: 5 } }],
        observations: [{ text: "rent account X-1", tool: "Notes", beforeStep: 0 }],
      }),
    );
    expect(text).toContain("User request:\nPay rent");
    expect(text).toContain("Tool outputs (untrusted):\n- before action 1 from Notes: rent account X-1");
    expect(text).toContain('1. BankPay(to="X-1", amount=5)');
  });
});
