// Issue 7.1 (team side): per-run budgets (model calls, tokens, wall time) stop a run cleanly, with
// the reason recorded in the result, the status event and the run file. The agents are rule-backed
// but make real (scripted) model calls through invokeForAgent, recorded via the runtime.
import { HumanMessage } from "@langchain/core/messages";
import { describe, expect, it } from "vitest";
import {
  RuleVerifier,
  ScriptedPlanner,
  type Specialist,
  TemplateSupervisor,
} from "../../src/agents/index.js";
import { createTeam } from "../../src/graph/index.js";
import { toRunFile } from "../../src/graph/runfile.js";
import type { Budgets } from "../../src/graph/scenario.js";
import { invokeForAgent } from "../../src/models/index.js";
import { ScriptedModel } from "../../src/testing/index.js";

const STEPS = ["a", "b", "c", "d"];

/** A specialist that asks its model once per turn (100 tokens in, 50 out), then answers. */
function modelSpecialist(model: ScriptedModel, waitMs = 0): Specialist {
  return {
    async execute(input) {
      const reply = await invokeForAgent(model, [new HumanMessage(`do ${input.step.id}`)], {
        agent: input.env.agent,
        step: input.env.step,
        recorder: { recordModelCall: (_a, _s, m, i, o) => input.env.recordModelCall(m, i, o) },
      });
      // Spends wall time without a timer, so the wall budget is certainly exceeded.
      const until = Date.now() + waitMs;
      while (Date.now() < until) {
        /* busy */
      }
      return { output: `${input.step.id}: ${reply.text}` };
    },
  };
}

function chainTeam(budgets: Partial<Budgets>, waitMs = 0) {
  const model = new ScriptedModel({
    replies: STEPS.map((s) => ({ content: `done ${s}`, usage: { inputTokens: 100, outputTokens: 50 } })),
  });
  const team = createTeam({
    planner: {
      name: "planner",
      impl: new ScriptedPlanner([
        {
          steps: STEPS.map((id, i) => ({
            id,
            assignee: "worker",
            description: `step ${id}`,
            toolCalls: [],
            dependsOn: i === 0 ? [] : [STEPS[i - 1] as string],
          })),
        },
      ]),
    },
    specialists: [{ name: "worker", impl: modelSpecialist(model, waitMs) }],
    verifier: { name: "verifier", impl: new RuleVerifier() },
    supervisor: { name: "supervisor", impl: new TemplateSupervisor({ template: "{{d}}" }) },
    budgets,
  });
  return { team, model };
}

async function runChain(budgets: Partial<Budgets>, waitMs = 0) {
  const { team, model } = chainTeam(budgets, waitMs);
  const r = await team.run("do a, b, c and d", { threadId: `b-${Object.entries(budgets).flat().join("-")}` });
  const outputs = r.items
    .filter((i) => i.kind === "step_output")
    .map((i) => i.labels.find((l) => l.startsWith("plan-step:"))?.slice(10));
  return { team, r, model, outputs };
}

describe("per-run budgets stop a team cleanly", () => {
  it("control: within budget the run finishes", async () => {
    const { r, outputs, model } = await runChain({ maxModelCalls: 10 });
    expect(r.status).toBe("finished");
    expect(r.finalAnswer).toBe("d: done d");
    expect(outputs).toEqual(STEPS);
    expect(r.usage.modelCalls).toBe(4);
    model.assertComplete();
  });

  const cases: Array<{
    name: string;
    budgets: Partial<Budgets>;
    waitMs?: number;
    reason: string;
    ran: string[];
  }> = [
    {
      name: "model calls",
      budgets: { maxModelCalls: 2 },
      reason: "model call budget of 2 reached",
      ran: ["a", "b"],
    },
    {
      name: "tokens",
      budgets: { maxTokens: 400 },
      reason: "token budget of 400 reached",
      ran: ["a", "b", "c"],
    },
    {
      name: "wall time",
      budgets: { maxWallMs: 1 },
      waitMs: 5,
      reason: "wall time budget of 1 ms reached",
      ran: ["a"],
    },
    { name: "steps", budgets: { maxSteps: 3 }, reason: "step budget of 3 reached", ran: ["a"] },
  ];
  for (const c of cases) {
    it(`${c.name}: stops with the reason recorded, and no later step runs`, async () => {
      const { team, r, outputs } = await runChain(c.budgets, c.waitMs ?? 0);
      expect(r.status).toBe("stopped");
      expect(r.reason).toBe(c.reason);
      expect(r.finalAnswer).toBeNull();
      expect(outputs).toEqual(c.ran);
      // Recorded where a user and the tracer look: the status event, the supervisor's note, the run file.
      const stopped = r.events.filter((e) => e.type === "status" && e.status === "stopped");
      expect(stopped).toHaveLength(1);
      expect(stopped[0]?.type === "status" ? stopped[0].reason : undefined).toBe(c.reason);
      const note = r.items.filter((i) => i.kind === "note").at(-1);
      expect(note?.content).toEqual({ route: "stop", reason: c.reason });
      expect(r.events.filter((e) => e.type === "error")).toEqual([]);
      const file = toRunFile(r, { task: "t", agents: team.agentNames });
      expect(file.status).toBe("stopped");
      expect(file.reason).toBe(c.reason);
      // Stopped is final: resuming the thread does not run anything more.
      const again = await team.resume(r.threadId);
      expect(again.status).toBe("stopped");
      expect(again.items).toHaveLength(r.items.length);
    });
  }
});
