import { describe, expect, it } from "vitest";
import { ModelPolicy, ScriptedPolicy } from "../../src/eval/magpie/agents.js";
import { systemPrompt } from "../../src/eval/magpie/prompt.js";
import { history, simulate } from "../../src/eval/magpie/simulate.js";
import { ScriptedModel } from "../../src/testing/index.js";
import { ADA, demo, KOFI, ROSA } from "./helpers.js";

describe("simulate with scripted agents", () => {
  it("runs the demo to consensus in round 2 with the right audiences", async () => {
    const { scenario, script } = demo();
    const sim = await simulate({ scenario, policy: new ScriptedPolicy(script), rounds: 3 });
    expect(sim.consensus).toMatchObject({ reached: true, proposalId: "P1", round: 2 });
    expect(sim.roundsUsed).toBe(2);
    expect(sim.proposals).toEqual([
      expect.objectContaining({ id: "P1", by: ADA, acceptedBy: [ADA, KOFI, ROSA], to: [KOFI, ROSA] }),
    ]);
    const log = sim.runtime.log;
    const rosaToAda = log.items({ author: ROSA, kind: "message" })[0];
    expect(rosaToAda?.audience).toEqual([ADA]);
    const kofiSees = sim.runtime.context(KOFI).map((i) => i.id);
    expect(kofiSees).not.toContain(rosaToAda?.id);
    expect(sim.runtime.context(ADA).map((i) => i.id)).toContain(rosaToAda?.id);
    // Memory is per agent and private.
    const note = log.items({ author: ROSA, kind: "memory_write" })[0];
    expect(note).toMatchObject({ audience: [ROSA], sensitivity: "private" });
    expect(history(sim.runtime, KOFI).some((h) => h.text.includes("desks near the lift"))).toBe(false);
    expect(history(sim.runtime, ROSA).some((h) => h.text.includes("Note to self: Ask for the desks"))).toBe(
      true,
    );
    // Private items are notes only their owner sees.
    const privateNotes = log.items({ kind: "note" });
    expect(privateNotes.map((n) => [n.author, n.audience, n.sensitivity])).toEqual([
      [ADA, [ADA], "private"],
      [KOFI, [KOFI], "private"],
      [ROSA, [ROSA], "private"],
    ]);
    expect(sim.errors).toEqual([]);
  });

  it("retries a malformed action once, then records an error and passes the turn", async () => {
    const { scenario } = demo();
    const script = {
      [ADA]: [
        {
          raw: "I think we should move in May",
          retry: [{ type: "send_message" as const, to: ["all"], text: "May works." }],
        },
        { raw: '{"actions": [{"type": "send_message", "to": []}]}', retry: "still not json" },
      ],
      [KOFI]: [
        {
          actions: [{ type: "accept_proposal" as const, id: "P7", reason: "" }],
          retry: [{ type: "accept_proposal" as const, id: "P7", reason: "" }],
        },
      ],
    };
    const sim = await simulate({ scenario, policy: new ScriptedPolicy(script), rounds: 2 });
    const adaMessages = sim.runtime.log.items({ author: ADA, kind: "message" });
    expect(adaMessages.map((m) => m.content)).toEqual(["May works."]);
    expect(sim.errors.map((e) => [e.agent, e.code])).toEqual([
      [KOFI, "invalid_action"],
      [ADA, "invalid_action"],
    ]);
    expect(sim.errors[0]?.message).toContain("no proposal P7");
    const errorEvents = sim.runtime.log.events({ type: "error" });
    expect(errorEvents).toHaveLength(2);
    expect(sim.consensus.reached).toBe(false);
    expect(sim.roundsUsed).toBe(2);
  });

  it("rejecting withdraws an acceptance", async () => {
    const { scenario, script } = demo();
    const rosa = script[ROSA] ?? [];
    const altered = {
      ...script,
      [ROSA]: [
        rosa[0] ?? {},
        { actions: [{ type: "reject_proposal" as const, id: "P1", reason: "Too tight." }] },
      ],
    };
    const sim = await simulate({ scenario, policy: new ScriptedPolicy(altered), rounds: 3 });
    expect(sim.consensus.reached).toBe(false);
    expect(sim.proposals[0]?.acceptedBy).toEqual([ADA, KOFI]);
  });
});

describe("prompts", () => {
  it("explicit mode tells the agent to keep its private items; implicit mode does not", () => {
    const { scenario } = demo();
    const kofi = scenario.agents[1]!;
    const explicit = systemPrompt(scenario, kofi, "explicit");
    const implicit = systemPrompt(scenario, kofi, "implicit");
    expect(explicit).toContain("do not reveal it");
    expect(implicit).not.toContain("do not reveal");
    for (const p of [explicit, implicit]) expect(p).toContain("$120,000");
  });
});

describe("ModelPolicy", () => {
  it("sends the validation error back once and records each call's tokens", async () => {
    const model = new ScriptedModel({
      byAgent: {
        [ADA]: [
          { content: "Sure! Let me think.", usage: { inputTokens: 100, outputTokens: 5 } },
          {
            content:
              '```json\n{"actions": [{"type": "send_proposal", "to": ["all"], "proposal": "May 16, $90,000 cap"}]}\n```',
            usage: { inputTokens: 120, outputTokens: 20 },
          },
        ],
        [KOFI]: [
          {
            content: '{"type": "accept_proposal", "id": "P1", "reason": "ok"}',
            usage: { inputTokens: 90, outputTokens: 10 },
          },
        ],
        [ROSA]: [
          {
            content: '{"actions": [{"type": "accept_proposal", "id": "P1"}]}',
            usage: { inputTokens: 95, outputTokens: 9 },
          },
        ],
      },
    });
    const { scenario } = demo();
    const sim = await simulate({ scenario, policy: new ModelPolicy(model, "scripted-model"), rounds: 1 });
    expect(sim.consensus).toMatchObject({ reached: true, proposalId: "P1", round: 1 });
    const retryCall = model.calls[1];
    expect(retryCall?.messages.at(-1)?.content).toContain("not a valid action");
    expect(sim.runtime.meter.totals).toMatchObject({ modelCalls: 4, inputTokens: 405, outputTokens: 44 });
    model.assertComplete();
  });
});
