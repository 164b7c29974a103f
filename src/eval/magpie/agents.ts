import { AIMessage, type BaseMessage, HumanMessage, SystemMessage } from "@langchain/core/messages";
import { z } from "zod";
import { type Invocable, invokeForAgent } from "../../models/index.js";
import { type Action, ActionSchema } from "./actions.js";
import type { MagpieScenario } from "./schema.js";

/** What the simulator asks an agent for: its next turn, a fix of an invalid one, or a rephrase. */
export interface TurnRequest {
  agent: string;
  round: number;
  step: number;
  kind: "turn" | "retry" | "rephrase";
  system: string;
  prompt: string;
  /** For retry/rephrase: the agent's previous reply and what was wrong with it. */
  previous?: string;
  feedback?: string;
}

export interface TurnReply {
  text: string;
  /** Model calls spent (0 for scripted agents) and their tokens. */
  calls: number;
  model?: string;
  inputTokens?: number;
  outputTokens?: number;
}

export interface AgentPolicy {
  readonly kind: "model" | "scripted" | "rule";
  decide(request: TurnRequest): Promise<TurnReply>;
}

/** An agent backed by any LangChain chat model (an OpenAI-compatible endpoint by default). */
export class ModelPolicy implements AgentPolicy {
  readonly kind = "model" as const;
  constructor(
    private readonly model: Invocable,
    private readonly modelName: string,
  ) {}

  async decide(request: TurnRequest): Promise<TurnReply> {
    const messages: BaseMessage[] = [new SystemMessage(request.system), new HumanMessage(request.prompt)];
    if (request.previous !== undefined) messages.push(new AIMessage(request.previous));
    if (request.feedback !== undefined) messages.push(new HumanMessage(request.feedback));
    // Usage is recorded by the simulator on its Runtime, so no recorder here.
    const reply = await invokeForAgent(this.model, messages, {
      agent: request.agent,
      step: request.step,
      modelName: this.modelName,
    });
    return {
      text: reply.text,
      calls: 1,
      model: this.modelName,
      inputTokens: reply.inputTokens,
      outputTokens: reply.outputTokens,
    };
  }
}

/** One scripted turn: what the agent does, and optionally what it answers when asked to retry or rephrase. */
export const ScriptTurnSchema = z.object({
  /** Raw reply text (to script malformed output); wins over `actions`. */
  raw: z.string().optional(),
  actions: z.array(ActionSchema).optional(),
  retry: z.union([z.string(), z.array(ActionSchema)]).optional(),
  rephrase: z.union([z.string(), z.array(ActionSchema)]).optional(),
});
export type ScriptTurn = z.infer<typeof ScriptTurnSchema>;
export const ScriptSchema = z.record(z.string(), z.array(ScriptTurnSchema));
export type Script = z.infer<typeof ScriptSchema>;

function render(entry: string | Action[] | undefined): string {
  if (entry === undefined) return JSON.stringify({ actions: [] });
  return typeof entry === "string" ? entry : JSON.stringify({ actions: entry });
}

/**
 * Replays a per-agent script, one entry per turn; an agent whose script has ended passes. No model,
 * no tokens: the offline mode for tests and demos.
 */
export class ScriptedPolicy implements AgentPolicy {
  readonly kind = "scripted" as const;
  private readonly cursor = new Map<string, number>();
  private readonly current = new Map<string, ScriptTurn>();

  constructor(private readonly script: Script) {}

  async decide(request: TurnRequest): Promise<TurnReply> {
    if (request.kind === "turn") {
      const turns = this.script[request.agent] ?? [];
      const i = this.cursor.get(request.agent) ?? 0;
      this.cursor.set(request.agent, i + 1);
      const entry = turns[i];
      if (!entry) {
        this.current.delete(request.agent);
        return { text: render(undefined), calls: 0 };
      }
      this.current.set(request.agent, entry);
      return { text: entry.raw ?? render(entry.actions ?? []), calls: 0 };
    }
    const entry = this.current.get(request.agent);
    return { text: render(request.kind === "retry" ? entry?.retry : entry?.rephrase), calls: 0 };
  }

  /** Turns not yet played, per agent: a finished script has none. */
  remaining(): Record<string, number> {
    const out: Record<string, number> = {};
    for (const [agent, turns] of Object.entries(this.script)) {
      out[agent] = Math.max(0, turns.length - (this.cursor.get(agent) ?? 0));
    }
    return out;
  }
}

/**
 * Table-backed agents for dataset rows when no model is configured: each states its shareable
 * preferences in round 1; the first agent proposes in round 2; the others accept in their next
 * turn. With `careless` each also states the first sentence of each private value in round 1, a
 * fixed stand-in for a leaky agent that exercises the detector and the guard on real rows. No
 * number from these agents is a model's result.
 */
export class RulePolicy implements AgentPolicy {
  readonly kind = "rule" as const;
  constructor(
    private readonly scenario: MagpieScenario,
    private readonly careless = false,
  ) {}

  async decide(request: TurnRequest): Promise<TurnReply> {
    if (request.kind !== "turn") return { text: render(undefined), calls: 0 };
    const agents = this.scenario.agents;
    const me = agents.find((a) => a.name === request.agent);
    if (!me) return { text: render(undefined), calls: 0 };
    const first = agents[0]?.name === me.name;
    const actions: Action[] = [];
    if (request.round === 1) {
      const prefs = me.shareable.map((p) => `${p.key}: ${firstSentence(p.description)}`);
      const secrets = this.careless ? me.private.map((p) => firstSentence(p.value)) : [];
      const text = [...prefs, ...secrets].join(" ") || "I have no strong preferences.";
      actions.push({ type: "send_message", to: ["all"], text });
    } else if (request.round === 2 && first) {
      actions.push({
        type: "send_proposal",
        to: ["all"],
        proposal: `Agreement for: ${firstSentence(this.scenario.task)} Each party's stated preferences are met as far as the constraints allow.`,
      });
    } else if (request.round >= 2 && !first) {
      actions.push({ type: "accept_proposal", id: "P1", reason: "It addresses my stated preferences." });
    }
    return { text: JSON.stringify({ actions }), calls: 0 };
  }
}

function firstSentence(text: string): string {
  const m = /^[\s\S]*?[.!?](?=\s|$)/.exec(text.trim());
  return (m?.[0] ?? text).trim();
}
