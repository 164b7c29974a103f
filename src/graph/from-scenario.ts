import type { BaseChatModel } from "@langchain/core/language_models/chat_models";
import type { BaseCheckpointSaver } from "@langchain/langgraph";
import type { Criteria } from "../agents/criteria.js";
import { ModelPlanner, ModelSpecialist, ModelSupervisor, ModelVerifier } from "../agents/model-agents.js";
import { ScriptedPlanner } from "../agents/planner.js";
import { ScriptedSpecialist } from "../agents/specialist.js";
import { TemplateSupervisor } from "../agents/supervisor.js";
import type { Planner, Specialist, Supervisor, Verifier } from "../agents/types.js";
import { RuleVerifier } from "../agents/verifier.js";
import type { Guards } from "../guards/types.js";
import type { ToolJournal } from "./journal.js";
import { roleMembers, type Scenario, toPlan } from "./scenario.js";
import { canaryGuards } from "./scenario-privacy.js";
import { scenarioTool } from "./scenario-tools.js";
import { createTeam, type Team } from "./team.js";

export interface ScenarioTeamOptions {
  guards?: Guards;
  checkpointer?: BaseCheckpointSaver;
  journal?: ToolJournal;
  /** Model-mode agents replace the rule-backed ones by role. */
  overrides?: {
    planner?: Planner;
    specialist?: (name: string) => Specialist;
    verifier?: Verifier;
    supervisor?: Supervisor;
  };
  models?: Record<string, BaseChatModel>;
  /** Model mode: every agent is an LLM agent on this model, with the scenario's tools and criteria. */
  model?: BaseChatModel;
  /** Model mode: the final answer's tokens as they stream. */
  onToken?: (text: string) => void;
  newItemId?: (kind: string) => string;
}

/** Builds a team from a scenario: rule- and table-backed agents unless overridden. */
export function teamFromScenario(s: Scenario, options: ScenarioTeamOptions = {}): Team {
  const tools = new Map(s.tools.map((t) => [t.name, scenarioTool(t)]));
  const outputs: Record<string, string[]> = {};
  const stepCriteria: Record<string, Criteria> = {};
  const reads: Record<string, string[]> = {};
  // Plan version 1 is the first plan, 2 the first replan, and so on.
  for (const [index, steps] of [s.plan, ...s.replans].entries()) {
    for (const step of steps) {
      const key = `${index + 1}:${step.id}`;
      if (step.outputs.length) outputs[key] = step.outputs;
      if (step.expect) stepCriteria[key] = step.expect;
      if (step.reads.length) reads[step.id] = [...new Set([...(reads[step.id] ?? []), ...step.reads])];
    }
  }
  const one = (role: "planner" | "verifier" | "supervisor") => roleMembers(s, role)[0] as string;
  const guards = withLeakGuards(s, options.guards);
  const scripted = new ScriptedSpecialist(outputs);
  const rules = new RuleVerifier({ steps: stepCriteria, final: s.final.expect });
  const m = options.model;
  const o = {
    ...(m
      ? {
          planner: new ModelPlanner(m),
          specialist: () => new ModelSpecialist(m),
          verifier: new ModelVerifier(m, (subject) => rules.criteriaFor(subject)),
          supervisor: new ModelSupervisor(m, options.onToken),
        }
      : {}),
    ...options.overrides,
  };
  return createTeam({
    planner: {
      name: one("planner"),
      impl: o.planner ?? new ScriptedPlanner([toPlan(s.plan), ...s.replans.map(toPlan)]),
    },
    specialists: s.agents
      .filter((a) => a.role === "specialist")
      .map((a) => ({
        name: a.name,
        description: a.description,
        impl: o.specialist ? o.specialist(a.name) : scripted,
        tools: a.tools.map((t) => tools.get(t)).filter((t) => t !== undefined),
      })),
    verifier: { name: one("verifier"), impl: o.verifier ?? rules },
    supervisor: {
      name: one("supervisor"),
      impl:
        o.supervisor ??
        new TemplateSupervisor(s.final.answer === undefined ? {} : { template: s.final.answer }),
    },
    budgets: s.budgets,
    memory: s.memory,
    reads,
    ...(guards ? { guards } : {}),
    ...(options.checkpointer ? { checkpointer: options.checkpointer } : {}),
    ...(options.journal ? { journal: options.journal } : {}),
    ...(options.models ? { models: options.models } : {}),
    ...(options.newItemId ? { newItemId: options.newItemId } : {}),
    ...(s.guards.trusted.length > 0 ? { trustedRecipients: s.guards.trusted } : {}),
  });
}

/** The guards given, plus the leak guards when the scenario asks for them (`guards.leak`). */
function withLeakGuards(s: Scenario, given: Guards | undefined): Guards | undefined {
  if (!s.guards.leak) return given;
  const leak = canaryGuards(s);
  return {
    ...given,
    message: [...(leak.message ?? []), ...(given?.message ?? [])],
    toolCall: [...(leak.toolCall ?? []), ...(given?.toolCall ?? [])],
  };
}
