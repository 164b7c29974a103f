import { readFileSync } from "node:fs";
import { parse as parseYaml, YAMLParseError } from "yaml";
import { z } from "zod";
import { CriteriaSchema } from "../agents/criteria.js";
import { checkPlan, type Plan, PlanStepSchema } from "../agents/schemas.js";
import { fromZodError, SafeId, Sensitivity, TOOL_EFFECTS, UserInputError } from "../core/index.js";

const Name = z.string().regex(/^[A-Za-z][\w-]*$/, "use letters, digits, - and _ (starting with a letter)");

export const ScenarioAgent = z.object({
  name: Name,
  role: z.enum(["planner", "specialist", "verifier", "supervisor"]),
  description: z.string().default(""),
  tools: z.array(z.string()).default([]),
});

const ArgType = z.enum(["string", "number", "boolean", "object", "array"]);

export const ScenarioTool = z.object({
  name: Name,
  description: z.string().default(""),
  effects: z.array(z.enum(TOOL_EFFECTS)).default(["reads"]),
  sinks: z.array(z.string()).default([]),
  /** Running a call twice with the same idempotency key acts once (see ToolSpec.idempotent). */
  idempotent: z.boolean().default(false),
  /** Ask before every call: the run pauses until `quorum resume --approve | --reject | --edit`. */
  needsApproval: z.boolean().default(false),
  /** Argument names and their JSON types. */
  args: z.record(z.string(), ArgType).default({}),
  /** Lookup table: the first row whose `when` matches the arguments gives the result. */
  results: z
    .array(
      z.object({
        when: z.record(z.string(), z.unknown()).optional(),
        value: z.unknown().optional(),
        error: z.string().optional(),
      }),
    )
    .min(1, "a tool needs at least one result row"),
  sensitivity: Sensitivity.default("internal"),
  labels: z.array(z.string()).default([]),
});
export type ScenarioTool = z.infer<typeof ScenarioTool>;

export const ScenarioMemory = z.object({
  key: z.string().min(1),
  value: z.unknown(),
  owner: Name,
  sensitivity: Sensitivity.default("internal"),
  audience: z.array(z.string()).default(["*"]),
});

export const ScenarioStep = PlanStepSchema.extend({
  /** Step ids become parts of idempotency keys and labels: the safe id set. */
  id: SafeId,
  /** Memory keys the assignee reads before it works. */
  reads: z.array(z.string()).default([]),
  /** Scripted outputs by attempt (templates over tool results: `{{0}}`, `{{0.field}}`). */
  outputs: z.array(z.string()).default([]),
  expect: CriteriaSchema.optional(),
});
export type ScenarioStep = z.infer<typeof ScenarioStep>;

export const Budgets = z.object({
  maxSteps: z.number().int().positive().default(100),
  maxRetries: z.number().int().nonnegative().default(2),
  maxReplans: z.number().int().nonnegative().default(1),
  maxModelCalls: z.number().int().positive().default(200),
  maxTokens: z.number().int().positive().default(200_000),
  maxWallMs: z.number().int().positive().default(600_000),
});
export type Budgets = z.infer<typeof Budgets>;

export const ScenarioSchema = z.object({
  version: z.literal(1).default(1),
  name: Name,
  description: z.string().default(""),
  task: z.string().min(1),
  agents: z.array(ScenarioAgent).min(1),
  tools: z.array(ScenarioTool).default([]),
  memory: z.array(ScenarioMemory).default([]),
  plan: z.array(ScenarioStep).min(1),
  /** Plans used on each replan, in order. */
  replans: z.array(z.array(ScenarioStep).min(1)).default([]),
  final: z
    .object({
      answer: z.string().optional(),
      expect: CriteriaSchema.optional(),
    })
    .default({}),
  budgets: Budgets.default(Budgets.parse({})),
  guards: z
    .object({
      /** Plan guard policy: `default`, a path to a policy YAML, or `none`. */
      plan: z.string().default("none"),
      /**
       * Keep the scenario's private values (private or sensitive memory entries and tool results)
       * inside their audience: the leak detector redacts them from messages, and calls that would
       * send them outside are blocked.
       */
      leak: z.boolean().default(false),
      /**
       * Agents inside the trust boundary (e.g. the verifier and supervisor): the message guards do
       * not count them as holders. Empty by default: every recipient counts.
       */
      trusted: z.array(Name).default([]),
    })
    .default({ plan: "none", leak: false, trusted: [] }),
});
export type Scenario = z.infer<typeof ScenarioSchema>;

export function roleMembers(s: Scenario, role: z.infer<typeof ScenarioAgent>["role"]): string[] {
  return s.agents.filter((a) => a.role === role).map((a) => a.name);
}

export function toPlan(steps: ReadonlyArray<ScenarioStep>): Plan {
  return {
    steps: steps.map(({ id, assignee, description, toolCalls, dependsOn }) => ({
      id,
      assignee,
      description,
      toolCalls,
      dependsOn,
    })),
  };
}

/** Parses and checks a scenario; every error names the file and the field. */
export function parseScenario(text: string, file = "<scenario>"): Scenario {
  let raw: unknown;
  try {
    // Warnings (an unknown tag) would print a second line; the schema check reports what matters.
    raw = parseYaml(text, { logLevel: "error" });
  } catch (error) {
    const line = error instanceof YAMLParseError ? error.linePos?.[0]?.line : undefined;
    // Some YAML errors (an unresolved alias) carry no position: say what went wrong instead.
    const reason =
      error instanceof Error ? (error.message.split("\n")[0] ?? "").replace(/ at line \d+.*$/, "") : "";
    throw new UserInputError(
      `not valid YAML${line !== undefined ? ` (line ${line})` : ""}${reason ? `: ${reason}` : ""}`,
      {
        file,
        ...(line === undefined ? { field: "(root)" } : {}),
        hint: "check indentation and quoting",
        cause: error,
      },
    );
  }
  const parsed = ScenarioSchema.safeParse(raw);
  if (!parsed.success)
    throw fromZodError(parsed.error, { file, hint: "see scenarios/README.md for the format" });
  const s = parsed.data;
  const names = new Set<string>();
  s.agents.forEach((a, i) => {
    if (names.has(a.name))
      throw new UserInputError(`duplicate agent ${a.name}`, { file, field: `agents.${i}.name` });
    names.add(a.name);
  });
  for (const role of ["planner", "verifier", "supervisor"] as const) {
    const n = roleMembers(s, role).length;
    if (n !== 1) {
      throw new UserInputError(`a team needs exactly one ${role} (found ${n})`, {
        file,
        field: "agents",
        hint: `add an agent with role: ${role}`,
      });
    }
  }
  const specialists = roleMembers(s, "specialist");
  if (specialists.length === 0)
    throw new UserInputError("a team needs at least one specialist", { file, field: "agents" });
  const toolNames = new Set(s.tools.map((t) => t.name));
  for (const [i, a] of s.agents.entries()) {
    for (const [j, t] of a.tools.entries()) {
      if (!toolNames.has(t)) {
        throw new UserInputError(`unknown tool ${t}`, {
          file,
          field: `agents.${i}.tools.${j}`,
          hint: "declare it under tools:",
        });
      }
    }
  }
  s.guards.trusted.forEach((t, i) => {
    if (!names.has(t))
      throw new UserInputError(`unknown agent ${t}`, {
        file,
        field: `guards.trusted.${i}`,
        hint: "name an agent of the team",
      });
  });
  s.memory.forEach((m, i) => {
    if (!names.has(m.owner))
      throw new UserInputError(`unknown agent ${m.owner}`, { file, field: `memory.${i}.owner` });
  });
  const checkSteps = (steps: ReadonlyArray<ScenarioStep>, field: string) => {
    try {
      checkPlan(toPlan(steps), specialists, file);
    } catch (error) {
      if (error instanceof UserInputError) {
        throw new UserInputError(error.message, {
          file,
          field: `${field}.${(error.field ?? "").replace(/^steps\./, "")}`,
          ...(error.hint ? { hint: error.hint } : {}),
        });
      }
      throw error;
    }
    steps.forEach((step, i) => {
      const agent = s.agents.find((a) => a.name === step.assignee);
      step.toolCalls.forEach((c, j) => {
        if (!agent?.tools.includes(c.tool)) {
          throw new UserInputError(`${step.assignee} has no tool ${c.tool}`, {
            file,
            field: `${field}.${i}.toolCalls.${j}.tool`,
            hint: `give ${step.assignee} the tool under agents:, or assign the step to an agent that has it`,
          });
        }
      });
    });
  };
  checkSteps(s.plan, "plan");
  s.replans.forEach((r, i) => {
    checkSteps(r, `replans.${i}`);
  });
  return s;
}

export function loadScenario(path: string): Scenario {
  let text: string;
  try {
    text = readFileSync(path, "utf8");
  } catch (error) {
    throw new UserInputError(`cannot read scenario file`, {
      file: path,
      hint: "check the path",
      cause: error,
    });
  }
  return parseScenario(text, path);
}
