import type { BaseChatModel } from "@langchain/core/language_models/chat_models";
import {
  type AIMessage,
  type BaseMessage,
  HumanMessage,
  SystemMessage,
  ToolMessage,
} from "@langchain/core/messages";
import { tool as lcTool } from "@langchain/core/tools";
import { ModelError, type ToolSpec } from "../core/index.js";
import { invokeForAgent, invokeStructured, type ModelRecorder, streamForAgent } from "../models/index.js";
import { type Criteria, describeCriteria } from "./criteria.js";
import { PLANNER_PROMPT } from "./planner.js";
import { type Plan, PlanSchema, type Verification, VerificationSchema } from "./schemas.js";
import { SPECIALIST_PROMPT, stepPrompt } from "./specialist.js";
import { SUPERVISOR_PROMPT } from "./supervisor.js";
import type { AgentEnv, Planner, Specialist, Supervisor, Verifier, VerifyInput } from "./types.js";
import { VERIFIER_PROMPT } from "./verifier.js";

/** Model calls made by an agent are recorded through its env, so accounting is per agent and run. */
function recorder(env: AgentEnv): ModelRecorder {
  return {
    recordModelCall: (_agent, _step, model, input, output) => env.recordModelCall(model, input, output),
  };
}

function modelOf(env: AgentEnv, fallback: BaseChatModel | undefined): BaseChatModel {
  const m = env.model ?? fallback;
  if (!m) throw new ModelError(`no model for agent ${env.agent}`, { agent: env.agent, step: env.step });
  return m;
}

/** The planner in model mode: structured JSON plan, repaired once if invalid. */
export class ModelPlanner implements Planner {
  constructor(private readonly model?: BaseChatModel) {}

  async plan(input: Parameters<Planner["plan"]>[0]): Promise<Plan> {
    const roster = input.specialists
      .map(
        (s) =>
          `- ${s.name}: ${s.description || "specialist"}; tools: ${s.tools.map((t) => `${t.name} (${t.description})`).join(", ") || "none"}`,
      )
      .join("\n");
    const messages: BaseMessage[] = [
      new SystemMessage(PLANNER_PROMPT),
      new HumanMessage(
        `Task: ${input.task}\n\nSpecialists:\n${roster}${input.feedback ? `\n\nThe previous plan failed: ${input.feedback}` : ""}`,
      ),
    ];
    const r = await invokeStructured(modelOf(input.env, this.model), messages, PlanSchema, {
      agent: input.env.agent,
      step: input.env.step,
      recorder: recorder(input.env),
    });
    return r.value;
  }
}

/** A specialist in model mode: a tool-calling loop whose calls all go through the runtime. */
export class ModelSpecialist implements Specialist {
  constructor(
    private readonly model?: BaseChatModel,
    private readonly maxToolRounds = 6,
  ) {}

  async execute(input: Parameters<Specialist["execute"]>[0]): Promise<{ output: string }> {
    const env = input.env;
    const base = modelOf(env, this.model);
    const byName = new Map<string, ToolSpec>(input.tools.map((t) => [t.name, t]));
    const definitions = input.tools.map((t) =>
      // The function is never called by LangChain: execution goes through env.callTool.
      lcTool(async () => "", { name: t.name, description: t.description, schema: t.schema as never }),
    );
    const model = definitions.length > 0 && base.bindTools ? base.bindTools(definitions) : base;
    const messages: BaseMessage[] = [
      new SystemMessage(SPECIALIST_PROMPT),
      new HumanMessage(stepPrompt(input)),
    ];
    let callIndex = 0;
    for (let round = 0; round <= this.maxToolRounds; round++) {
      const reply = await invokeForAgent(model, messages, {
        agent: env.agent,
        step: env.step,
        recorder: recorder(env),
      });
      const calls = (reply.message as AIMessage).tool_calls ?? [];
      if (calls.length === 0) return { output: reply.text };
      messages.push(reply.message);
      for (const call of calls) {
        const spec = byName.get(call.name);
        const result = spec
          ? await env.callTool(spec, call.args, { callIndex: callIndex++ })
          : { value: { error: `no tool named ${call.name}` } };
        messages.push(
          new ToolMessage({
            content: JSON.stringify(result.value ?? null),
            tool_call_id: call.id ?? call.name,
          }),
        );
      }
    }
    throw new ModelError(`specialist kept calling tools after ${this.maxToolRounds} rounds`, {
      agent: env.agent,
      step: env.step,
      hint: "raise maxToolRounds or simplify the step",
    });
  }
}

/** The verifier in model mode: pass/fail with reasons against the stated criteria. */
export class ModelVerifier implements Verifier {
  constructor(
    private readonly model?: BaseChatModel,
    private readonly criteria: (subject: VerifyInput["subject"]) => Criteria | undefined = () => undefined,
  ) {}

  async verify(input: VerifyInput): Promise<Verification> {
    const c = this.criteria(input.subject);
    const what =
      input.subject.kind === "final"
        ? "the final answer"
        : `the output of step ${input.subject.step.id} (${input.subject.step.description})`;
    const messages: BaseMessage[] = [
      new SystemMessage(VERIFIER_PROMPT),
      new HumanMessage(
        `Task: ${input.task}\nCheck ${what}.\nCriteria: ${c ? describeCriteria(c) : "answers its part of the task"}\n\nOutput:\n${input.output}`,
      ),
    ];
    const r = await invokeStructured(modelOf(input.env, this.model), messages, VerificationSchema, {
      agent: input.env.agent,
      step: input.env.step,
      recorder: recorder(input.env),
    });
    return r.value;
  }
}

/** The supervisor in model mode: streams the final answer (tokens reach `onToken` as they arrive). */
export class ModelSupervisor implements Supervisor {
  constructor(
    private readonly model?: BaseChatModel,
    private readonly onToken?: (text: string) => void,
  ) {}

  async compose(input: Parameters<Supervisor["compose"]>[0]): Promise<string> {
    const messages: BaseMessage[] = [
      new SystemMessage(SUPERVISOR_PROMPT),
      new HumanMessage(
        `Task: ${input.task}\n\n${input.outputs.map((o) => `Step ${o.stepId}: ${o.output}`).join("\n")}`,
      ),
    ];
    const r = await streamForAgent(modelOf(input.env, this.model), messages, {
      agent: input.env.agent,
      step: input.env.step,
      recorder: recorder(input.env),
      ...(this.onToken ? { onToken: this.onToken } : {}),
    });
    return r.text;
  }
}
