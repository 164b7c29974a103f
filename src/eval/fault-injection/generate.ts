import { z } from "zod";
import { RuleVerifier, TemplateSupervisor } from "../../agents/index.js";
import { ScriptedPlanner } from "../../agents/planner.js";
import type { Plan } from "../../agents/schemas.js";
import type { Specialist } from "../../agents/types.js";
import { defineTool, type ToolSpec } from "../../core/index.js";
import { createTeam, type Team } from "../../graph/team.js";
import { seededRandom } from "../../testing/rng.js";

export const SPECIALISTS = ["alpha", "beta", "gamma"] as const;

/** A generated team task whose correct answer is known: readings relayed down a random DAG. */
export interface FaultScenario {
  seed: number;
  plan: Plan;
  readings: Record<string, number>;
}

export const PLANNER = "planner";

export interface InjectedFault {
  stepId: string;
  /** Who makes the mistake: the step's assignee, or the planner for a `wrong-key` fault. */
  agent: string;
  /**
   * `misread`: the specialist misreads its tool result; `miscopy`: it miscopies an upstream value;
   * `wrong-key`: the planner asks the step to read a probe that does not exist.
   */
  kind: "misread" | "miscopy" | "wrong-key";
  /** The correct token and the wrong one written instead, e.g. `p3=41` -> `p3=47`, or `p3` -> `p13`. */
  correct: string;
  wrong: string;
}

export function generateScenario(seed: number): FaultScenario {
  const rnd = seededRandom(seed);
  const n = 5 + Math.floor(rnd() * 4);
  const steps: Plan["steps"] = [];
  const readings: Record<string, number> = {};
  for (let i = 1; i <= n; i++) {
    const id = `s${i}`;
    const deps = new Set<string>();
    if (i > 1) {
      const count = 1 + Math.floor(rnd() * Math.min(2, i - 1));
      while (deps.size < count) deps.add(`s${1 + Math.floor(rnd() * (i - 1))}`);
    }
    readings[`p${i}`] = 10 + Math.floor(rnd() * 890);
    steps.push({
      id,
      assignee: SPECIALISTS[Math.floor(rnd() * SPECIALISTS.length)] as string,
      description: `read probe p${i} and relay the readings it depends on`,
      toolCalls: [{ tool: "probe", args: { name: `p${i}` } }],
      dependsOn: [...deps].sort(),
    });
  }
  return { seed, plan: { steps }, readings };
}

/** Steps nobody depends on: their outputs make up the final answer. */
export function sinks(plan: Plan): string[] {
  const used = new Set(plan.steps.flatMap((s) => s.dependsOn));
  return plan.steps.filter((s) => !used.has(s.id)).map((s) => s.id);
}

/** Picks a step with downstream dependents and a way to get it wrong. */
export function chooseFault(scenario: FaultScenario, seed: number): InjectedFault {
  const rnd = seededRandom(seed * 7919 + 13);
  const sinkSet = new Set(sinks(scenario.plan));
  const candidates = scenario.plan.steps.filter((s) => !sinkSet.has(s.id));
  const step =
    candidates[Math.floor(rnd() * candidates.length)] ?? (scenario.plan.steps[0] as Plan["steps"][number]);
  const upstream = ancestors(scenario.plan, step.id);
  // One fault in three is the planner's: the step is told to read a probe that is not there.
  if (rnd() < 1 / 3) {
    const missing = `p${scenario.plan.steps.length + 1 + Math.floor(rnd() * 9)}`;
    return {
      stepId: step.id,
      agent: PLANNER,
      kind: "wrong-key",
      correct: `p${step.id.slice(1)}`,
      wrong: missing,
    };
  }
  const kind: InjectedFault["kind"] = upstream.length > 0 && rnd() < 0.5 ? "miscopy" : "misread";
  const probe =
    kind === "misread"
      ? `p${step.id.slice(1)}`
      : `p${(upstream[Math.floor(rnd() * upstream.length)] as string).slice(1)}`;
  const value = scenario.readings[probe] as number;
  const taken = new Set(Object.values(scenario.readings));
  let wrong = value + 1 + Math.floor(rnd() * 50);
  while (taken.has(wrong)) wrong += 1;
  return {
    stepId: step.id,
    agent: step.assignee,
    kind,
    correct: `${probe}=${value}`,
    wrong: `${probe}=${wrong}`,
  };
}

function ancestors(plan: Plan, id: string): string[] {
  const byId = new Map(plan.steps.map((s) => [s.id, s]));
  const out = new Set<string>();
  const stack = [...(byId.get(id)?.dependsOn ?? [])];
  while (stack.length) {
    const d = stack.pop() as string;
    if (out.has(d)) continue;
    out.add(d);
    stack.push(...(byId.get(d)?.dependsOn ?? []));
  }
  return [...out].sort();
}

const TOKEN = /\bp\d+=\d+\b/g;

/**
 * Reads its probe, then relays every reading its inputs carry, verbatim. With a fault, it gets
 * one token wrong at one step, the way an agent misreads a tool result or miscopies a number.
 */
export class RelaySpecialist implements Specialist {
  constructor(private readonly fault?: InjectedFault) {}

  async execute(input: Parameters<Specialist["execute"]>[0]): Promise<{ output: string }> {
    const probe = input.tools.find((t) => t.name === "probe") as ToolSpec;
    const call = input.step.toolCalls[0];
    const r = await input.env.callTool(probe, call?.args ?? {}, { callIndex: 0 });
    const own = `${String((call?.args as { name?: string } | undefined)?.name)}=${(r.value as { reading: number }).reading}`;
    const tokens = [own, ...input.inputs.flatMap((i) => i.output.match(TOKEN) ?? [])];
    let unique = [...new Set(tokens)].sort(
      (a, b) => Number(a.slice(1).split("=")[0]) - Number(b.slice(1).split("=")[0]),
    );
    if (this.fault && this.fault.kind !== "wrong-key" && this.fault.stepId === input.step.id)
      unique = unique.map((t) => (t === this.fault?.correct ? this.fault.wrong : t));
    return { output: `${input.step.id}: ${unique.join(", ")}` };
  }
}

/** The plan as the planner writes it: with a `wrong-key` fault, one step reads the wrong probe. */
export function plannedWith(plan: Plan, fault?: InjectedFault): Plan {
  if (fault?.kind !== "wrong-key") return plan;
  return {
    steps: plan.steps.map((s) =>
      s.id === fault.stepId ? { ...s, toolCalls: [{ tool: "probe", args: { name: fault.wrong } }] } : s,
    ),
  };
}

/** The team for a generated scenario; the final answer must carry every reading correctly. */
export function faultTeam(scenario: FaultScenario, fault?: InjectedFault, truth?: string): Team {
  const probe = defineTool({
    name: "probe",
    description: "Read a probe",
    schema: z.object({ name: z.string() }),
    run: ({ name }) => {
      const reading = scenario.readings[name];
      if (reading === undefined) throw new Error(`no probe named ${name}`);
      return { reading };
    },
  });
  const relay = new RelaySpecialist(fault);
  // The answer must be exactly the known-correct one: a single wrong token fails it.
  const exact = truth === undefined ? undefined : `^${truth.replace(/[.*+?^${}()|[\]\\]/g, "\\$&")}$`;
  return createTeam({
    planner: { name: PLANNER, impl: new ScriptedPlanner([plannedWith(scenario.plan, fault)]) },
    specialists: SPECIALISTS.map((name) => ({ name, impl: relay, tools: [probe] })),
    verifier: {
      name: "verifier",
      impl: new RuleVerifier({ final: exact ? { matches: exact } : {} }),
    },
    supervisor: {
      name: "supervisor",
      impl: new TemplateSupervisor({
        template: sinks(scenario.plan)
          .map((id) => `{{${id}}}`)
          .join(" | "),
      }),
    },
    budgets: { maxSteps: 200, maxRetries: 0, maxReplans: 0 },
  });
}
