import { UserInputError } from "../core/index.js";
import type { Plan } from "./schemas.js";
import type { Planner } from "./types.js";

/**
 * The planner's instructions in model mode, kept in one place.
 */
export const PLANNER_PROMPT = `You are the planner of a team of specialist agents.
Break the user's task into a short plan. Each step has an id, the specialist it is assigned to,
a one-line description, the tool calls the specialist should make (tool name and arguments),
and the ids of the steps whose output it needs (dependsOn). Steps without dependencies run in
parallel. Use only the specialists and tools listed. Reply with JSON only:
{"steps":[{"id":"s1","assignee":"...","description":"...","toolCalls":[{"tool":"...","args":{}}],"dependsOn":[]}],"rationale":"..."}`;

/** Replays plans written in a scenario: the first for the first attempt, the next on each replan. */
export class ScriptedPlanner implements Planner {
  constructor(private readonly plans: ReadonlyArray<Plan>) {
    if (plans.length === 0)
      throw new UserInputError("a scripted planner needs at least one plan", { field: "plan" });
  }

  async plan(input: { attempt: number }): Promise<Plan> {
    const index = Math.min(input.attempt - 1, this.plans.length - 1);
    return this.plans[index] as Plan;
  }
}
