import type { ToolSpec } from "../core/index.js";
import { UserInputError } from "../core/index.js";
import type { Specialist } from "./types.js";

export const SPECIALIST_PROMPT = `You are a specialist agent in a team. Carry out the step you are given,
using your tools when they help. Base every claim on tool results or on the inputs you were given;
say plainly when something is unknown. When you are done, reply with the step's result as plain text.`;

/** What a specialist is told about its step: the task, the step, its inputs and any feedback. */
export function stepPrompt(input: Parameters<Specialist["execute"]>[0]): string {
  return [
    `Task: ${input.task}`,
    `Your step (${input.step.id}): ${input.step.description}`,
    input.step.toolCalls.length ? `Suggested tool calls: ${JSON.stringify(input.step.toolCalls)}` : "",
    ...input.inputs.map((i) => `Output of step ${i.stepId}: ${i.output}`),
    input.feedback ? `Your previous attempt was rejected: ${input.feedback}` : "",
  ]
    .filter(Boolean)
    .join("\n");
}

/** Output templates may cite tool results: `{{0}}` is the first call's result, `{{0.field}}` a field of it. */
export function renderOutput(template: string, results: ReadonlyArray<unknown>): string {
  return template.replace(/\{\{\s*(\d+)((?:\.[\w-]+)*)\s*\}\}/g, (_, index: string, path: string) => {
    let v: unknown = results[Number(index)];
    for (const key of path.split(".").filter(Boolean)) {
      v = v !== null && typeof v === "object" ? (v as Record<string, unknown>)[key] : undefined;
    }
    return typeof v === "string" ? v : JSON.stringify(v ?? null);
  });
}

/**
 * Rule-backed specialist: makes the planned tool calls through the runtime, then answers with
 * the scenario's output for this attempt (a template over the tool results), or a plain
 * summary of the results when the scenario gives none. Outputs are keyed by step id, or by
 * `<planVersion>:<stepId>` when replans reuse step ids.
 */
export class ScriptedSpecialist implements Specialist {
  constructor(private readonly outputs: Readonly<Record<string, ReadonlyArray<string>>> = {}) {}

  async execute(input: Parameters<Specialist["execute"]>[0]): Promise<{ output: string }> {
    const byName = new Map<string, ToolSpec>(input.tools.map((t) => [t.name, t]));
    const results: unknown[] = [];
    for (const [i, call] of input.step.toolCalls.entries()) {
      const tool = byName.get(call.tool);
      if (!tool) {
        throw new UserInputError(
          `step ${input.step.id} calls tool ${call.tool}, which ${input.step.assignee} does not have`,
          {
            field: `plan.${input.step.id}.toolCalls.${i}.tool`,
            hint: `${input.step.assignee} has: ${[...byName.keys()].join(", ") || "no tools"}`,
          },
        );
      }
      const r = await input.env.callTool(tool, call.args, { callIndex: i });
      results.push(r.value);
    }
    const scripted = this.outputs[`${input.planVersion}:${input.step.id}`] ?? this.outputs[input.step.id];
    const template = scripted?.[Math.min(input.attempt - 1, scripted.length - 1)];
    if (template !== undefined) return { output: renderOutput(template, results) };
    const summary = results.map((r) => (typeof r === "string" ? r : JSON.stringify(r))).join("; ");
    return { output: `${input.step.description}${summary ? `: ${summary}` : ""}` };
  }
}
