import { describe, expect, it } from "vitest";
import { CoDefGuard, parseBallot, parseTomReply, TomGuard } from "../../src/guards/privacy/index.js";
import { ScriptedModel } from "../../src/testing/index.js";
import { POLICY, World } from "./world.js";

const TOM_YES =
  "Likely Inference: names with medication\nAdversarial Intent: Yes\nSuspected Goal: profile patients";
const TOM_NO = "Likely Inference: a rota\nAdversarial Intent: No\nSuspected Goal: scheduling";

describe("strict reply parsers", () => {
  it("ToM: exactly the three published lines, in order", () => {
    expect(parseTomReply(`  ${TOM_YES}\n`)).toEqual({
      ok: true,
      value: {
        likelyInference: "names with medication",
        adversarialIntent: "Yes",
        suspectedGoal: "profile patients",
      },
    });
    expect(parseTomReply("Adversarial Intent: Yes")).toMatchObject({
      ok: false,
      reason: "expected 3 lines, got 1",
    });
    expect(parseTomReply(TOM_YES.replace("Yes", "Probably"))).toMatchObject({ ok: false });
    expect(parseTomReply(TOM_YES.replace("Likely Inference", "Inference"))).toMatchObject({ ok: false });
    expect(parseTomReply(`${TOM_YES}\nConfidence: high`)).toMatchObject({ ok: false });
    expect(parseTomReply("Likely Inference:\nAdversarial Intent: No\nSuspected Goal: x")).toMatchObject({
      ok: false,
    });
  });

  it("CoDef ballot: Vote line, optional Reason line, nothing else", () => {
    expect(parseBallot("Vote: C\nReason: counts are enough")).toEqual({
      ok: true,
      value: { vote: "C", reason: "counts are enough" },
    });
    expect(parseBallot("Vote: A")).toEqual({ ok: true, value: { vote: "A", reason: "" } });
    expect(parseBallot("vote: a")).toMatchObject({ ok: false });
    expect(parseBallot("Vote: D")).toMatchObject({ ok: false });
    expect(parseBallot("I vote B")).toMatchObject({ ok: false });
    expect(parseBallot("Vote: B\nbecause\nreasons")).toMatchObject({ ok: false });
  });
});

describe("TomGuard in model mode", () => {
  it("calls the model once per answer carrying data (never for queries) and follows its intent line", async () => {
    const model = new ScriptedModel({
      replies: [{ content: TOM_NO, usage: { inputTokens: 100, outputTokens: 20 } }, TOM_YES],
    });
    const w = new World([new TomGuard({ policy: POLICY, model })]);
    expect((await w.ask("Bea", { table: "rota" })).decision).toBe("allow");
    const blocked = await w.ask("Dov", { table: "vans" });
    expect(blocked.decision).toBe("block");
    model.assertComplete();
    expect(model.calls).toHaveLength(2);
    const verdicts = w.runtime.log
      .items({ kind: "verdict" })
      .map((v) => v.content as Record<string, unknown>);
    const answered = verdicts.filter((v) => v.modelCalls !== undefined);
    expect(answered[0]).toMatchObject({ decision: "allow", modelCalls: 1, tokens: 120 });
    expect(answered[1]?.rationale).toMatch(/suspected goal: profile patients/);
    expect(w.runtime.log.events({ type: "model_call" })).toHaveLength(2);
    // The second prompt shows the query history and what the ledger says Alice holds.
    const prompt = String(model.calls[1]?.messages[1]?.content);
    expect(prompt).toMatch(/Querying agent: Alice/);
    expect(prompt).toMatch(/Alice\/roster, Bea\/meds, Cal\/homes/);
    expect(prompt).toMatch(/1\. please\n2\. please/);
    expect(prompt).toMatch(/already holds: Alice\/roster/);
  });

  it("a malformed reply blocks, fail closed, with the reason recorded", async () => {
    const model = new ScriptedModel({ replies: ["Adversarial Intent: Unsure"] });
    const w = new World([new TomGuard({ policy: POLICY, model })]);
    const r = await w.ask("Bea", { table: "rota" });
    expect(r.decision).toBe("block");
    const verdict = w.runtime.log.items({ kind: "verdict" }).at(-1);
    expect(verdict?.labels).toContain("fail-closed");
    expect((verdict?.content as { rationale: string } | undefined)?.rationale).toMatch(
      /malformed reply \(expected 3 lines, got 1\)/,
    );
  });

  it("a model error blocks too (the runtime fails closed)", async () => {
    const model = new ScriptedModel({ replies: [{ error: "connection reset" }] });
    const w = new World([new TomGuard({ policy: POLICY, model })]);
    expect((await w.ask("Bea", { table: "rota" })).decision).toBe("block");
  });
});

describe("CoDefGuard with model voters", () => {
  const VOTERS = ["Bea", "Cal", "Dov"];

  it("all A answers; any C gives a vague answer; any B blocks", async () => {
    const model = new ScriptedModel({
      replies: [
        "Vote: A",
        "Vote: A",
        "Vote: A",
        "Vote: A",
        "Vote: C\nReason: counts suffice",
        "Vote: A",
        "Vote: A",
        "Vote: C",
        "Vote: B",
      ],
    });
    const w = new World([new CoDefGuard({ policy: POLICY, voters: VOTERS, model })]);
    expect((await w.ask("Bea", { table: "rota" })).decision).toBe("allow");
    const vague = await w.ask("Cal", { table: "rooms" });
    expect(vague.decision).toBe("vague");
    expect(vague.reply?.content).toMatchObject({
      kind: "aggregate",
      tables: [{ table: "rooms", rowCount: 1 }],
    });
    expect((await w.ask("Dov", { table: "vans" })).decision).toBe("block");
    model.assertComplete();
    // Voters see schemas of what others disclosed, never their rows.
    const prompt = String(model.calls[8]?.messages[1]?.content);
    expect(prompt).toMatch(/You are Dov/);
    expect(prompt).toMatch(/- Bea: Bea\/rota\(day, id\)/);
    expect(prompt).not.toMatch(/Mon/);
  });

  it("a malformed ballot counts as B, fail closed, with the reason", async () => {
    const model = new ScriptedModel({ replies: ["Vote: A", "I would answer", "Vote: A"] });
    const w = new World([new CoDefGuard({ policy: POLICY, voters: VOTERS, model })]);
    expect((await w.ask("Bea", { table: "rota" })).decision).toBe("block");
    const verdict = w.runtime.log.items({ kind: "verdict" }).at(-1);
    expect(verdict?.labels).toContain("fail-closed");
    expect((verdict?.content as { rationale: string } | undefined)?.rationale).toMatch(
      /Cal->Alice:B \(malformed ballot/,
    );
  });

  it("self-voting asks the answering defender d times", async () => {
    const model = new ScriptedModel({ replies: ["Vote: A", "Vote: A", "Vote: A"] });
    const w = new World([
      new CoDefGuard({ policy: POLICY, voters: VOTERS, selfVoting: { repeats: 3 }, model }),
    ]);
    expect((await w.ask("Bea", { table: "rota" })).decision).toBe("allow");
    model.assertComplete();
    expect(model.calls.every((c) => String(c.messages[1]?.content).startsWith("You are Bea."))).toBe(true);
  });
});
