// A two-specialist team where each step reads one table of a two-table sensitive combination
// (hr/salaries + hr/names) and sends it on: the shape the ledger and team-shape suites share.
import { z } from "zod";
import {
  RuleVerifier,
  ScriptedPlanner,
  ScriptedSpecialist,
  TemplateSupervisor,
} from "../../src/agents/index.js";
import { defineTool } from "../../src/core/index.js";
import { createTeam, type TeamConfig } from "../../src/graph/index.js";

export const TWO_TABLE_POLICY = {
  sensitive: [
    { owner: "hr", table: "salaries" },
    { owner: "hr", table: "names" },
  ],
  owned: {},
};

const table = (name: string, rows: unknown[]) =>
  defineTool({
    name: `read_${name}`,
    description: `the ${name} table`,
    schema: z.object({}),
    resultLabels: [`source:hr/${name}`],
    run: () => ({ rows }),
  });

export interface TwoTableOptions {
  /** Step b runs beside a (else after it). */
  parallel?: boolean;
  salaries?: unknown[];
  names?: unknown[];
  /** The rest of the team's config: guards, trusted recipients. */
  extra?: Partial<TeamConfig>;
}

export function twoTableTeam(options: TwoTableOptions = {}) {
  const step = (id: string, assignee: string, name: string, dependsOn: string[]) => ({
    id,
    assignee,
    description: name,
    toolCalls: [{ tool: `read_${name}`, args: {} }],
    dependsOn,
  });
  return createTeam({
    planner: {
      name: "planner",
      impl: new ScriptedPlanner([
        {
          steps: [
            step("a", "alpha", "salaries", []),
            step("b", "beta", "names", options.parallel ? [] : ["a"]),
          ],
        },
      ]),
    },
    specialists: [
      {
        name: "alpha",
        impl: new ScriptedSpecialist({ a: ["salaries {{0.rows}}"] }),
        tools: [table("salaries", options.salaries ?? ["salaries-0", "salaries-1"])],
      },
      {
        name: "beta",
        impl: new ScriptedSpecialist({ b: ["names {{0.rows}}"] }),
        tools: [table("names", options.names ?? ["names-0", "names-1"])],
      },
    ],
    verifier: { name: "verifier", impl: new RuleVerifier() },
    supervisor: { name: "supervisor", impl: new TemplateSupervisor({ template: "{{a}} / {{b}}" }) },
    ...options.extra,
  });
}
