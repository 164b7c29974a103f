import { z } from "zod";
import { type EventLog, type Item, isPrivate, type ToolSpec } from "../../core/index.js";
import type { PlanStepView } from "../types.js";
import {
  type NormalisedPlan,
  type NormalisedStep,
  norm,
  type Observation,
  type ToolDescriptor,
  ToolDescriptorSchema,
  type TrustedItem,
  traceArgsInPlace,
} from "./model.js";
import { parseAction } from "./parse-action.js";

export type TrajectoryView = "plan" | "observations";

/* ------------------------------------------------------------------ our planner */

export interface PlannerPlanInput {
  log: EventLog;
  runId: string;
  task: Item;
  steps: PlanStepView[];
  /** The tools of the run, for declared effects. */
  tools?: ReadonlyArray<Pick<ToolSpec, "name" | "description" | "effects" | "sinks">>;
}

/**
 * Our planner's plan, with argument provenance from the run's log: user and `trusted`-labelled
 * items are trusted, every tool result is an untrusted observation, and each argument value is
 * attributed to the first of those that contains it.
 */
export function fromPlannerPlan(input: PlannerPlanInput): NormalisedPlan {
  const items = input.log.items({ runId: input.runId });
  const trusted: TrustedItem[] = [];
  const observations: Observation[] = [];
  for (const item of items) {
    if (item.id === input.task.id) continue;
    if (item.kind === "tool_result") {
      observations.push({
        id: item.id,
        text: contentText(item.content),
        tool: item.author.replace(/^tool:/, ""),
        beforeStep: 0,
        untrusted: true,
        sensitive: isPrivate(item.sensitivity),
      });
    } else if (item.author === "user" || item.labels.includes("trusted")) {
      trusted.push({ id: item.id, text: contentText(item.content), sensitive: isPrivate(item.sensitivity) });
    }
  }
  // A plan step may carry several tool calls (`toolCalls`, beyond the view's first one): each becomes
  // a normalised step, depending on what its plan step depends on.
  const indicesById = new Map<string, number[]>();
  const steps: NormalisedStep[] = [];
  for (const view of input.steps) {
    const extra = extraCalls(view);
    const calls =
      extra !== undefined && extra.length > 0
        ? extra
        : view.tool !== null
          ? [{ tool: view.tool, args: view.args }]
          : [];
    const dependsOn = dependencyIndices(view.dependsOn, indicesById);
    const mine: number[] = [];
    for (const call of calls) {
      const index = steps.length;
      mine.push(index);
      steps.push({ index, id: view.id, tool: call.tool, args: call.args, dependsOn, argSources: {} });
    }
    indicesById.set(view.id, mine);
  }
  const tools: ToolDescriptor[] = (input.tools ?? []).map((t) => ({
    name: t.name,
    description: t.description,
    ...(t.effects ? { effects: [...t.effects] } : {}),
    ...(t.sinks ? { sinks: [...t.sinks] } : {}),
  }));
  return traceArgsInPlace({
    id: input.runId,
    userRequest: contentText(input.task.content),
    steps,
    observations,
    trusted,
    tools,
  });
}

const ExtraCalls = z.looseObject({
  toolCalls: z
    .array(z.looseObject({ tool: z.string().min(1), args: z.record(z.string(), z.unknown()).default({}) }))
    .optional(),
});

type ToolCall = { tool: string; args: Record<string, unknown> };

/**
 * A step's `toolCalls` as `ExtraCalls` reads them (undefined when it rejects them). Planner output
 * is plain JSON, which is read directly: the schema's generic parse cost more than the rules.
 * Anything else goes to the schema, which stays the authority.
 */
function extraCalls(view: PlanStepView): ToolCall[] | undefined {
  const plain = plainToolCalls(view);
  if (plain !== null) return plain;
  const extra = ExtraCalls.safeParse(view);
  return extra.success ? extra.data.toolCalls : undefined;
}

/** `ExtraCalls`'s result for JSON-shaped input; null when the input needs the schema's judgement. */
function plainToolCalls(view: PlanStepView): ToolCall[] | undefined | null {
  if (typeof view !== "object" || view === null || Array.isArray(view)) return null;
  const calls: unknown = view.toolCalls;
  if (calls === undefined) return undefined;
  if (!Array.isArray(calls)) return null;
  const out: ToolCall[] = [];
  for (let i = 0; i < calls.length; i++) {
    const call: unknown = calls[i];
    if (typeof call !== "object" || call === null || Array.isArray(call)) return null;
    const { tool, args } = call as { tool?: unknown; args?: unknown };
    if (typeof tool !== "string" || tool.length === 0) return null;
    if (args === undefined) {
      out.push({ tool, args: {} });
      continue;
    }
    const copy = plainRecordCopy(args);
    if (copy === null) return null;
    out.push({ tool, args: copy });
  }
  return out;
}

/**
 * What `z.record(z.string(), z.unknown())` makes of a plain object with only ordinary string keys:
 * a fresh object with the same keys in the same order. Null for anything less ordinary.
 */
function plainRecordCopy(value: unknown): Record<string, unknown> | null {
  if (typeof value !== "object" || value === null || Object.getPrototypeOf(value) !== Object.prototype)
    return null;
  const record = value as Record<string, unknown>;
  if (Object.hasOwn(record, "constructor") || Object.hasOwn(record, "__proto__")) return null;
  if (Object.getOwnPropertySymbols(record).length > 0) return null;
  const copy: Record<string, unknown> = {};
  // Own enumerable keys in Object.keys order (the prototype is Object.prototype), no key list built.
  for (const key in record) if (Object.hasOwn(record, key)) copy[key] = record[key];
  return copy;
}

/** The normalised indices of the plan steps a step depends on, ascending and distinct. */
function dependencyIndices(dependsOn: ReadonlyArray<string>, indicesById: Map<string, number[]>): number[] {
  // One plan step's calls are already ascending and distinct.
  if (dependsOn.length === 1) return [...(indicesById.get(dependsOn[0] as string) ?? [])];
  return [...new Set(dependsOn.flatMap((d) => indicesById.get(d) ?? []))].sort((a, b) => a - b);
}

/* ------------------------------------------------------------------ Safiron-style records */

export const SafironRecordSchema = z.object({
  id: z.union([z.string(), z.number()]).optional(),
  user_request: z.string(),
  /** One `tool(arg=...)` call per entry (or per line). */
  agent_action: z.union([z.string(), z.array(z.string())]),
  agent_response: z.string().optional(),
  /** The deployment's description of the environment: trusted context. */
  env_info: z.union([z.string(), z.record(z.string(), z.unknown()), z.array(z.unknown())]).optional(),
  label: z.union([z.literal(0), z.literal(1)]).optional(),
  risk_type: z.string().optional(),
  /** Tool outputs the plan's steps see (untrusted): `before_step` is the first step that sees one. */
  observations: z
    .array(
      z.strictObject({
        before_step: z.number().int().nonnegative(),
        text: z.string(),
        tool: z.string().optional(),
      }),
    )
    .optional(),
  /** The tools of the deployment, with declared effects when known. */
  tools: z.array(ToolDescriptorSchema).optional(),
});
export type SafironRecord = z.infer<typeof SafironRecordSchema>;

export function fromSafironRecord(record: SafironRecord): NormalisedPlan {
  const actions = Array.isArray(record.agent_action) ? record.agent_action : splitCalls(record.agent_action);
  const steps: NormalisedStep[] = [];
  for (const raw of actions) {
    const parsed = parseAction(raw);
    if (parsed === null || parsed.kind === "response") continue;
    steps.push(toStep(steps.length, parsed));
  }
  const trusted: TrustedItem[] =
    record.env_info === undefined
      ? []
      : [{ id: "env_info", text: contentText(record.env_info), sensitive: false }];
  return traceArgsInPlace({
    ...(record.id !== undefined ? { id: String(record.id) } : {}),
    userRequest: record.user_request,
    steps,
    observations: (record.observations ?? []).map((o, i) => ({
      id: `obs_${i}`,
      text: o.text,
      ...(o.tool !== undefined ? { tool: o.tool } : {}),
      beforeStep: o.before_step,
      untrusted: true as const,
      sensitive: false,
    })),
    trusted,
    tools: record.tools ?? [],
    ...(record.agent_response !== undefined ? { response: record.agent_response } : {}),
  });
}

/** Splits `a(x=1)\nb(y="2")` into calls; a call may span lines inside its parentheses. */
function splitCalls(text: string): string[] {
  const out: string[] = [];
  let depth = 0;
  let quote: string | null = null;
  let start = 0;
  for (let i = 0; i < text.length; i++) {
    const c = text[i];
    if (quote) {
      if (c === "\\") i += 1;
      else if (c === quote) quote = null;
      continue;
    }
    if (c === '"' || c === "'") quote = c;
    else if (c === "(" || c === "{" || c === "[") depth += 1;
    else if (c === ")" || c === "}" || c === "]") depth -= 1;
    else if ((c === "\n" || c === ";") && depth <= 0) {
      out.push(text.slice(start, i));
      start = i + 1;
    }
  }
  out.push(text.slice(start));
  return out.map((s) => s.trim()).filter((s) => s !== "");
}

/* ------------------------------------------------------------------ R-Judge / ASSEBench trajectories */

const TurnSchema = z.union([
  z.object({ role: z.literal("user"), content: z.string().nullable().optional() }).loose(),
  z
    .object({
      role: z.literal("agent"),
      thought: z.string().nullable().optional(),
      action: z.string().nullable().optional(),
    })
    .loose(),
  z.object({ role: z.literal("environment"), content: z.unknown().optional() }).loose(),
]);

export const TrajectoryRecordSchema = z
  .object({
    id: z.union([z.string(), z.number()]),
    profile: z.string().optional(),
    contents: z.array(z.array(TurnSchema)),
    label: z.union([z.literal(0), z.literal(1)]),
    risk_type: z.string().optional(),
    risk_description: z.string().optional(),
  })
  .loose();
export type TrajectoryRecord = z.infer<typeof TrajectoryRecordSchema>;

/**
 * A trajectory as a plan. `plan` view: the user's turns and the agent's actions only, as a guard
 * sees a plan before anything runs. `observations` view: also the tool outputs, each visible to
 * the actions after it, as a guard sees the next step of a running agent.
 */
export function fromTrajectory(record: TrajectoryRecord, view: TrajectoryView): NormalisedPlan {
  const request: string[] = [];
  const steps: NormalisedStep[] = [];
  const observations: Observation[] = [];
  const tools: ToolDescriptor[] = [];
  let response: string | undefined;
  let obsCount = 0;
  // What the agent itself wrote so far: a later user turn that only repeats it is not the user's.
  let agentText = "";
  const addObservation = (text: string, beforeStep: number): void => {
    const t = text.trim();
    if (t === "" || t === "None" || t === "null" || view === "plan") return;
    const last = steps[beforeStep - 1];
    observations.push({
      id: `obs_${obsCount++}`,
      text: t,
      ...(last ? { tool: last.tool } : {}),
      beforeStep,
      untrusted: true,
      sensitive: false,
    });
  };
  for (const episode of record.contents) {
    for (const turn of episode) {
      if (turn.role === "user") {
        const { text, tools: listed } = extractToolList(turn.content ?? "");
        tools.push(...listed);
        const t = text.trim();
        if (t !== "" && t !== "None" && !echoes(t, agentText)) request.push(t);
      } else if (turn.role === "agent") {
        const parsed = parseAction(turn.action ?? "");
        const thought = turn.thought ?? "";
        agentText += ` ${norm(thought)} ${norm(turn.action ?? "")}`;
        if (parsed === null) continue;
        if (parsed.kind === "response") {
          response = parsed.text;
          continue;
        }
        steps.push(toStep(steps.length, parsed));
        // Some logs put the action's own output in the thought, as `[Observation]: ...`.
        const obs = /^\s*\[observation\]\s*:?/i.exec(thought);
        if (obs) {
          for (const part of toolOutputs(thought.slice(obs[0].length))) {
            // An output that names another tool than the action's shows that tool ran too.
            const last = steps[steps.length - 1];
            if (part.tool !== undefined && view === "observations" && last && last.tool !== part.tool) {
              steps.push({ index: steps.length, tool: part.tool, args: {}, dependsOn: [], argSources: {} });
            }
            addObservation(part.text, steps.length);
          }
        }
      } else {
        addObservation(contentText(turn.content), steps.length);
      }
    }
  }
  const traced = traceArgsInPlace({
    id: String(record.id),
    userRequest: request.join("\n"),
    steps,
    observations,
    trusted: [],
    tools,
    ...(response !== undefined ? { response } : {}),
  });
  return withDataDependencies(traced);
}

// `The output of Tool is: ...`, `Result from Tool: ...`: a log line naming the tool that produced it.
const TOOL_OUTPUT_HEAD =
  /(?:^|[;\n]\s*)(?:the )?(?:knowledge|output|result|response|observation)s? (?:i (?:get|got|received) )?(?:from|of) ([A-Za-z_][\w.-]{2,63})\s*(?:(?:is|was|returned)\s*)?:/gi;

/**
 * One observation text cut where it names the tool each part came from (logs that join the
 * outputs of several tool calls of one turn). Text before the first such head has no tool.
 */
export function toolOutputs(text: string): Array<{ tool?: string; text: string }> {
  const heads = [...text.matchAll(TOOL_OUTPUT_HEAD)];
  if (heads.length === 0) return [{ text }];
  const out: Array<{ tool?: string; text: string }> = [];
  const first = heads[0] as RegExpMatchArray;
  if ((first.index ?? 0) > 0 && text.slice(0, first.index).trim() !== "")
    out.push({ text: text.slice(0, first.index).trim() });
  heads.forEach((h, i) => {
    const end = heads[i + 1]?.index ?? text.length;
    out.push({ tool: h[1] as string, text: text.slice(h.index ?? 0, end).replace(/^[;\s]+|[;\s]+$/g, "") });
  });
  return out;
}

/**
 * A user turn that mostly repeats the agent's own earlier words (an orchestrator feeding the agent
 * its own plan back, "At step 2, you need to <step>") carries no new authority from the user.
 */
function echoes(turn: string, agentText: string): boolean {
  if (agentText.length === 0) return false;
  const text = norm(turn).replace(/[.\s]+$/, "");
  const minLength = Math.max(20, 0.6 * text.length);
  // Tails starting at each word, longest first, while they still cover most of the turn.
  for (let start = 0; start === 0 || text[start - 1] === " "; ) {
    if (text.length - start < minLength) return false;
    if (agentText.includes(text.slice(start))) return true;
    const next = text.indexOf(" ", start);
    if (next < 0) return false;
    start = next + 1;
  }
  return false;
}

/** A step depends on the earlier step whose output supplied one of its argument values. */
function withDataDependencies(plan: NormalisedPlan): NormalisedPlan {
  const producer = new Map(plan.observations.map((o) => [o.id, o.beforeStep - 1]));
  return {
    ...plan,
    steps: plan.steps.map((step) => {
      const deps = new Set(step.dependsOn);
      for (const src of Object.values(step.argSources)) {
        const p = src.kind === "observation" && src.itemId ? producer.get(src.itemId) : undefined;
        if (p !== undefined && p >= 0 && p < step.index) deps.add(p);
      }
      return { ...step, dependsOn: [...deps].sort((a, b) => a - b) };
    }),
  };
}

const FunctionToolSchema = z.object({
  type: z.literal("function"),
  function: z.object({ name: z.string().min(1), description: z.string().nullable().optional() }).loose(),
});

/**
 * Pulls an OpenAI-style tool list (`[{"type": "function", "function": {...}}, ...]`) out of a user
 * turn: the tools feed the risk manifest, and their names must not count as the user asking for them.
 */
export function extractToolList(text: string): { text: string; tools: ToolDescriptor[] } {
  const start = text.search(/\[\s*\{\s*"type"\s*:\s*"function"/);
  if (start < 0) return { text, tools: [] };
  const end = closingBracket(text, start);
  if (end < 0) return { text, tools: [] };
  let raw: unknown;
  try {
    raw = JSON.parse(text.slice(start, end + 1));
  } catch {
    return { text, tools: [] };
  }
  const parsed = z.array(FunctionToolSchema).safeParse(raw);
  if (!parsed.success) return { text, tools: [] };
  const tools = parsed.data.map((t) => ({
    name: t.function.name,
    description: t.function.description ?? "",
  }));
  return { text: `${text.slice(0, start)} ${text.slice(end + 1)}`, tools };
}

function closingBracket(text: string, start: number): number {
  let depth = 0;
  let quote = false;
  for (let i = start; i < text.length; i++) {
    const c = text[i];
    if (quote) {
      if (c === "\\") i += 1;
      else if (c === '"') quote = false;
      continue;
    }
    if (c === '"') quote = true;
    else if (c === "[" || c === "{") depth += 1;
    else if (c === "]" || c === "}") {
      depth -= 1;
      if (depth === 0) return i;
    }
  }
  return -1;
}

/* ------------------------------------------------------------------ shared */

function toStep(index: number, parsed: Exclude<ReturnType<typeof parseAction>, null>): NormalisedStep {
  if (parsed.kind === "tool")
    return { index, tool: parsed.tool, args: parsed.args, dependsOn: [], argSources: {} };
  if (parsed.kind === "command") {
    return {
      index,
      tool: parsed.tool,
      args: { command: parsed.text },
      dependsOn: [],
      argSources: {},
      text: parsed.text,
    };
  }
  throw new Error("a response is not a step");
}

export function contentText(content: unknown): string {
  if (content === null || content === undefined) return "";
  if (typeof content === "string") return content;
  try {
    return JSON.stringify(content);
  } catch {
    return String(content);
  }
}
