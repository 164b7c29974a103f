import type { TeamEvent, TeamObserver } from "../../core/index.js";
import { RunSpanBuilder, type SpanTarget } from "./spans.js";

/**
 * Builds each run's spans as its events arrive; runs are told apart by run id, so one observer
 * can watch a team that runs many threads at once.
 */
export class SpanObserver implements TeamObserver {
  private readonly runs = new Map<string, RunSpanBuilder>();

  constructor(
    private readonly target: SpanTarget,
    private readonly workflow: string,
    private readonly clock: () => number = Date.now,
  ) {}

  onEvent(event: TeamEvent): void {
    let run = this.runs.get(event.runId);
    if (!run) {
      if (event.type !== "run.started") return;
      run = new RunSpanBuilder(this.target, this.workflow, this.clock);
      this.runs.set(event.runId, run);
    }
    run.handle(event);
    if (event.type === "run.finished" || event.type === "run.failed") this.runs.delete(event.runId);
  }

  /** Runs whose spans are still open (a run that never ended keeps its spans open). */
  get openRuns(): number {
    return this.runs.size;
  }
}
