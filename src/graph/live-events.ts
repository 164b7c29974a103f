import {
  type AgentStep,
  agentStepOf,
  approvalOf,
  asQuorumError,
  type Item,
  type Logger,
  type NewTeamEvent,
  numberEvents,
  type RunEvent,
  type RunFile,
  type TeamEvent,
  TeamEventDeriver,
  type TeamObserver,
  terminalEvent,
  toolApprovalEvent,
} from "../core/index.js";
import { type ApprovalRequest, waitingOf } from "./approval.js";
import type { Runtime } from "./runtime.js";

/** What a finished drive of the graph hands back (a subset of TeamResult, to keep arrows one way). */
export interface DriveOutcome {
  runId: string;
  status: RunFile["status"] | "running";
  reason: string | null;
  finalAnswer: string | null;
  items: Item[];
  events: RunEvent[];
  interrupt?: ApprovalRequest;
}

/**
 * The live side of the team event stream: listens to a run's log while the graph runs and hands
 * each derived event to the observers at once. Graph nodes report when they return, which ends
 * the agent steps they wrote.
 */
export class LiveEvents {
  private seq = 0;
  private readonly deriver: TeamEventDeriver;
  private readonly stop: () => void;
  private readonly agents: ReadonlySet<string>;

  constructor(
    private readonly runtime: Runtime,
    agents: ReadonlyArray<string>,
    private readonly observers: ReadonlyArray<TeamObserver>,
    private readonly logger: Logger,
  ) {
    const { log, runId } = runtime;
    this.agents = new Set(agents);
    this.deriver = new TeamEventDeriver(runId, (id) => log.item(id), this.agents);
    this.stop = log.subscribe((event) => {
      if (event.runId === runId) this.emit(this.deriver.push(event));
    });
  }

  started(threadId: string, resumed: boolean): void {
    this.emit([{ type: "run.started", runId: this.runtime.runId, step: 0, threadId, resumed }]);
  }

  /** A graph node returned: the agent steps it wrote are over. */
  nodeDone(events: ReadonlyArray<RunEvent>): void {
    const lookup = (id: string) => this.runtime.log.item(id);
    const steps = events
      .map((e) => agentStepOf(e, lookup, this.agents))
      .filter((s): s is AgentStep => s !== undefined);
    if (steps.length > 0) this.emit(this.deriver.finishSteps(steps));
  }

  finished(outcome: DriveOutcome): void {
    this.stop();
    const step = outcome.events.reduce((m, e) => Math.max(m, e.step), 0);
    const tail: NewTeamEvent[] = [...this.deriver.flush(), ...this.deriver.finishSteps()];
    if (outcome.status === "interrupted") {
      const request =
        outcome.interrupt?.kind === "tool_approval"
          ? toolApprovalEvent(waitingOf(outcome.interrupt), outcome.runId)
          : approvalOf(outcome.items, outcome.runId, step);
      if (request) tail.push(request);
    }
    tail.push(terminalEvent(outcome.runId, step, outcome.status, outcome.reason, outcome.finalAnswer));
    this.emit(tail);
  }

  /** The drive threw (bad input or an internal error): the stream still ends with a failure. */
  failed(error: unknown): void {
    this.stop();
    const tail = [...this.deriver.flush(), ...this.deriver.finishSteps()];
    const step = this.runtime.log.events({ runId: this.runtime.runId }).at(-1)?.step ?? 0;
    tail.push(terminalEvent(this.runtime.runId, step, "failed", asQuorumError(error).toLine(), null));
    this.emit(tail);
  }

  private emit(events: ReadonlyArray<NewTeamEvent>): void {
    if (events.length === 0) return;
    const numbered: TeamEvent[] = numberEvents(events, this.seq);
    this.seq += numbered.length;
    for (const event of numbered) {
      for (const observer of this.observers) {
        // A watcher's bug must not stop the run it watches.
        try {
          observer.onEvent(event);
        } catch (error) {
          this.logger.warn({ event: event.type, error: String(error) }, "team event observer failed");
        }
      }
    }
  }
}
