import { z } from "zod";
import {
  RuleVerifier,
  ScriptedPlanner,
  ScriptedSpecialist,
  TemplateSupervisor,
} from "../../src/agents/index.js";
import { defineTool } from "../../src/core/index.js";
import { createTeam, InMemoryToolJournal } from "../../src/graph/index.js";

/** a sends a notice (a side effect) that waits for the gate; b then reads it back. */
export function gatedTeam() {
  let open = () => {};
  const gate = new Promise<void>((resolve) => {
    open = resolve;
  });
  const sent = { count: 0 };
  const notify = defineTool({
    name: "notify",
    description: "sends a notice outside, once the gate opens",
    schema: z.object({}),
    effects: ["sends_outside"],
    run: async () => {
      await gate;
      sent.count += 1;
      return { id: `notice-${sent.count}` };
    },
  });
  const team = createTeam({
    planner: {
      name: "planner",
      impl: new ScriptedPlanner([
        {
          steps: [
            {
              id: "a",
              assignee: "alpha",
              description: "notify",
              toolCalls: [{ tool: "notify", args: {} }],
              dependsOn: [],
            },
            { id: "b", assignee: "alpha", description: "report", toolCalls: [], dependsOn: ["a"] },
          ],
        },
      ]),
    },
    specialists: [
      { name: "alpha", impl: new ScriptedSpecialist({ a: ["sent {{0.id}}"], b: ["done"] }), tools: [notify] },
    ],
    verifier: { name: "verifier", impl: new RuleVerifier() },
    supervisor: { name: "supervisor", impl: new TemplateSupervisor({ template: "{{a}}; {{b}}" }) },
    // Shared by the run and its resume, as the SQLite store's journal is across processes.
    journal: new InMemoryToolJournal(),
  });
  return { team, open, sent };
}
