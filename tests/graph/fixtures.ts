import { z } from "zod";
import {
  RuleVerifier,
  ScriptedPlanner,
  ScriptedSpecialist,
  TemplateSupervisor,
} from "../../src/agents/index.js";
import type { Specialist } from "../../src/agents/types.js";
import { defineTool, type Item } from "../../src/core/index.js";
import { createTeam, type TeamConfig } from "../../src/graph/index.js";
import type { Guards } from "../../src/guards/types.js";

export const lookup = defineTool({
  name: "lookup",
  description: "look a key up",
  schema: z.object({ key: z.string() }),
  run: ({ key }) => ({ key, value: key.toUpperCase() }),
});

export const notify = defineTool({
  name: "notify",
  description: "send a notification outside",
  schema: z.object({ to: z.string(), text: z.string() }),
  effects: ["sends_outside"],
  sinks: ["email"],
  run: () => ({ sent: true }),
});

/**
 * smallTeam's specialists: alpha and beta share one scripted specialist, which `wrap` may wrap
 * (to observe the steps it runs).
 */
export function smallTeamSpecialists(
  wrap: (specialist: Specialist) => Specialist = (specialist) => specialist,
): TeamConfig["specialists"] {
  const specialist = wrap(
    new ScriptedSpecialist({
      a: ["A={{0.value}}"],
      b: ["B={{0.value}}"],
      c: ["wrong", "A and B combined"],
      d: ["notified {{0.sent}}"],
    }),
  );
  return [
    { name: "alpha", impl: specialist, tools: [lookup] },
    { name: "beta", impl: specialist, tools: [lookup, notify] },
  ];
}

/** a and b run in parallel, c needs both and is rejected once, d notifies. */
export function smallTeam(extra: Partial<TeamConfig> = {}, guards?: Guards) {
  let n = 0;
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
            {
              id: "b",
              assignee: "beta",
              description: "get b",
              toolCalls: [{ tool: "lookup", args: { key: "b" } }],
              dependsOn: [],
            },
            { id: "c", assignee: "alpha", description: "combine", toolCalls: [], dependsOn: ["a", "b"] },
            {
              id: "d",
              assignee: "beta",
              description: "tell",
              toolCalls: [{ tool: "notify", args: { to: "ops@example.com", text: "done" } }],
              dependsOn: ["c"],
            },
          ],
        },
      ]),
    },
    specialists: smallTeamSpecialists(),
    verifier: {
      name: "verifier",
      impl: new RuleVerifier({
        steps: { c: { contains: ["combined"] } },
        final: { contains: ["combined"] },
      }),
    },
    supervisor: { name: "supervisor", impl: new TemplateSupervisor({ template: "{{c}}; {{d}}" }) },
    newItemId: (kind) => `${kind}${++n}`,
    ...(guards ? { guards } : {}),
    ...extra,
  });
}

/** A readable key for an item: author/kind/step plus what distinguishes siblings. */
export function label(i: Item): string {
  const c = i.content as Record<string, unknown> | string;
  let extra = "";
  if (i.kind === "verification")
    extra =
      typeof c === "object" && c.final
        ? ":final"
        : `:${(c as { stepId: string }).stepId}#${(c as { attempt: number }).attempt}`;
  if (i.kind === "note") extra = `:${(c as { route?: string }).route ?? ""}`;
  if (i.kind === "step_output")
    extra = `:${i.labels.find((l) => l.startsWith("plan-step:"))?.slice(10)}#${i.labels.find((l) => l.startsWith("attempt:"))?.slice(8)}`;
  return `${i.author}/${i.kind}${extra}`;
}
