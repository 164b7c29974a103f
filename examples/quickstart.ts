// A team in code, no model: the README's tour, runnable with `npx tsx examples/quickstart.ts`.
// In your project, import from "quorum" instead of "../src/index.js".
import { z } from "zod";
import {
  createPlanGuard,
  createTeam,
  defineTool,
  RuleVerifier,
  ScriptedPlanner,
  ScriptedSpecialist,
  type TeamConfig,
  TemplateSupervisor,
} from "../src/index.js";

const lookup = defineTool({
  name: "lookup",
  description: "Look a key up",
  schema: z.object({ key: z.string() }),
  run: ({ key }) => ({ value: key.toUpperCase() }),
});

/** The tour's team; `extra` adds to its config (observers, a checkpointer, ...). */
export function quickstartTeam(extra: Partial<TeamConfig> = {}) {
  return createTeam({
    planner: {
      name: "planner",
      impl: new ScriptedPlanner([
        {
          steps: [
            {
              id: "a",
              assignee: "alpha",
              description: "get a",
              toolCalls: [{ tool: "lookup", args: { key: "a" } }],
              dependsOn: [],
            },
          ],
        },
      ]),
    },
    specialists: [
      { name: "alpha", impl: new ScriptedSpecialist({ a: ["A is {{0.value}}"] }), tools: [lookup] },
    ],
    verifier: {
      name: "verifier",
      impl: new RuleVerifier({ steps: { a: { contains: ["A is"] } } }),
    },
    supervisor: { name: "supervisor", impl: new TemplateSupervisor({ template: "{{a}}" }) },
    guards: { plan: [createPlanGuard({ tools: [lookup] })] },
    ...extra,
  });
}

export async function quickstart() {
  return quickstartTeam().run("What is a?");
}

if (import.meta.url === `file://${process.argv[1]}`) {
  const result = await quickstart();
  console.log(result.status, result.finalAnswer);
  for (const item of result.items)
    console.log(item.kind.padEnd(13), item.author.padEnd(14), "<-", item.derivedFrom.join(", "));
}
