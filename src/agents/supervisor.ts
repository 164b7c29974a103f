import type { Supervisor } from "./types.js";

export const SUPERVISOR_PROMPT = `You are the supervisor of a multi-agent team. Write the final answer to
the user's task from the verified step outputs below. Use only what they say; be brief.`;

export interface TemplateSupervisorOptions {
  /** Text with `{{stepId}}` placeholders; without one, the outputs are joined line by line. */
  template?: string;
}

/** Fills `{{stepId}}` placeholders in a template with the verified outputs. */
export class TemplateSupervisor implements Supervisor {
  private readonly template: string | undefined;

  constructor(options: TemplateSupervisorOptions = {}) {
    this.template = options.template;
  }

  async compose(input: Parameters<Supervisor["compose"]>[0]): Promise<string> {
    const outputs = new Map(input.outputs.map((o) => [o.stepId, o.output]));
    if (this.template === undefined) return input.outputs.map((o) => o.output).join("\n");
    return this.template.replace(/\{\{\s*([\w.-]+)\s*\}\}/g, (whole, id: string) => outputs.get(id) ?? whole);
  }
}
