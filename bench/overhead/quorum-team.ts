import { z } from "zod";
import {
  RuleVerifier,
  ScriptedPlanner,
  ScriptedSpecialist,
  TemplateSupervisor,
} from "../../src/agents/index.js";
import { defineTool } from "../../src/core/index.js";
import { createTeam, type Team, type TeamConfig } from "../../src/graph/index.js";
import { createPlanGuard } from "../../src/guards/plan/index.js";
import { CoDefGuard, LeakMessageGuard, TomGuard } from "../../src/guards/privacy/index.js";
import type { Guards } from "../../src/guards/types.js";
import { SPECIALISTS } from "./variant.js";

export const lookup = defineTool({
  name: "lookup",
  description: "look a key up in the team's own table",
  schema: z.object({ key: z.string() }),
  run: ({ key }) => ({ key, value: key.toUpperCase() }),
});

/**
 * Every guard Quorum ships, symbolic: the plan guard (default policy rules), ToM and CoDef over a
 * composition policy (two tables, owned by two specialists), and the leak detector guarding a
 * private value of the third. None of them fires on the benchmark's messages: the cost measured is
 * the cost of checking, which every allowed message pays.
 */
export function allGuards(): Guards {
  const policy = {
    sensitive: [
      { owner: "alpha", table: "salaries" },
      { owner: "beta", table: "addresses" },
    ],
    owned: {
      alpha: [{ owner: "alpha", table: "salaries" }],
      beta: [{ owner: "beta", table: "addresses" }],
    },
  };
  return {
    plan: [
      createPlanGuard({
        mode: "rules",
        tools: [{ name: "lookup", description: "look a key up", effects: [] }],
      }),
    ],
    message: [
      new TomGuard({ policy }),
      new CoDefGuard({ policy, voters: [...SPECIALISTS] }),
      new LeakMessageGuard({
        mode: "redact",
        items: [{ id: "p1", owner: "gamma", key: "badge", value: "badge number 4417-22-981" }],
      }),
    ],
  };
}

/**
 * The shared shape with Quorum's rule-backed agents: planner -> 3 parallel specialists -> verifier ->
 * supervisor. Agent steps per run (what would be model calls in model mode): 1 plan, 3 step
 * executions, 3 step verifications, 1 composed answer, 1 final verification = 9.
 */
export const QUORUM_AGENT_STEPS = 9;

export function benchTeam(options: { guards?: Guards; extra?: Partial<TeamConfig> } = {}): Team {
  return createTeam({
    planner: {
      name: "planner",
      impl: new ScriptedPlanner([
        {
          steps: SPECIALISTS.map((who) => ({
            id: `s-${who}`,
            assignee: who,
            description: `part ${who}`,
            toolCalls: [],
            dependsOn: [],
          })),
        },
      ]),
    },
    specialists: SPECIALISTS.map((who) => ({
      name: who,
      impl: new ScriptedSpecialist({ [`s-${who}`]: [`${who} done`] }),
      tools: [lookup],
    })),
    verifier: {
      name: "verifier",
      impl: new RuleVerifier({
        steps: Object.fromEntries(SPECIALISTS.map((who) => [`s-${who}`, { contains: ["done"] }])),
        final: { contains: ["alpha done"] },
      }),
    },
    supervisor: {
      name: "supervisor",
      impl: new TemplateSupervisor({ template: "{{s-alpha}}; {{s-beta}}; {{s-gamma}}" }),
    },
    ...(options.guards ? { guards: options.guards } : {}),
    ...options.extra,
  });
}
