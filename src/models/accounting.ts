import type { EventLog, Usage } from "../core/index.js";
import { emptyUsage } from "../core/index.js";

/** Per-run, per-agent model call and token counts; every call is also an event in the log. */
export class UsageMeter {
  private readonly usage: Usage = emptyUsage();

  record(agent: string, inputTokens: number, outputTokens: number): void {
    this.usage.modelCalls += 1;
    this.usage.inputTokens += inputTokens;
    this.usage.outputTokens += outputTokens;
    const a = this.usage.byAgent[agent] ?? { modelCalls: 0, inputTokens: 0, outputTokens: 0 };
    a.modelCalls += 1;
    a.inputTokens += inputTokens;
    a.outputTokens += outputTokens;
    this.usage.byAgent[agent] = a;
  }

  /** Lets a bare meter stand in for the Runtime as a model-call recorder (harnesses, tests). */
  recordModelCall(
    agent: string,
    _step: number,
    _model: string,
    inputTokens: number,
    outputTokens: number,
  ): void {
    this.record(agent, inputTokens, outputTokens);
  }

  get totals(): Usage {
    return structuredClone(this.usage);
  }

  get tokens(): number {
    return this.usage.inputTokens + this.usage.outputTokens;
  }

  /** Rebuilds the meter from the model_call events of a run (after a resume). */
  static fromLog(log: EventLog, runId: string): UsageMeter {
    const meter = new UsageMeter();
    for (const e of log.events({ runId, type: "model_call" })) {
      if (e.type === "model_call") meter.record(e.agent, e.inputTokens, e.outputTokens);
    }
    return meter;
  }
}
