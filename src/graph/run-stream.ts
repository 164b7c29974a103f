import { type TeamEvent, type TeamObserver, UserInputError } from "../core/index.js";

/**
 * A run as a stream of events: `for await (const event of stream)` sees each event as it
 * happens, and `result` resolves with the run's result. Leaving the loop early stops only the
 * watching: the run goes on to its end (or its next checkpointed pause), and `result` still
 * resolves.
 */
export class TeamRunStream<Result> implements AsyncIterable<TeamEvent> {
  readonly result: Promise<Result>;
  private buffer: TeamEvent[] = [];
  private next = 0;
  private wake: (() => void) | undefined;
  private ended = false;
  private failure: { error: unknown } | undefined;
  private watching = true;
  private iterated = false;

  constructor(start: (observer: TeamObserver) => Promise<Result>) {
    this.result = start({ onEvent: (event) => this.push(event) });
    this.result.then(
      () => this.end(),
      (error: unknown) => this.end({ error }),
    );
  }

  async *[Symbol.asyncIterator](): AsyncIterator<TeamEvent> {
    if (this.iterated)
      throw new UserInputError("a team run stream can be iterated once", {
        hint: "keep the events you need, or await .result",
      });
    this.iterated = true;
    try {
      while (true) {
        if (this.next < this.buffer.length) {
          const event = this.buffer[this.next++] as TeamEvent;
          yield event;
          continue;
        }
        if (this.ended) {
          if (this.failure) throw this.failure.error;
          return;
        }
        await new Promise<void>((resolve) => {
          this.wake = resolve;
        });
      }
    } finally {
      this.watching = false;
      this.buffer = [];
    }
  }

  private push(event: TeamEvent): void {
    if (!this.watching) return;
    this.buffer.push(event);
    this.signal();
  }

  private end(failure?: { error: unknown }): void {
    this.ended = true;
    this.failure = failure;
    this.signal();
  }

  private signal(): void {
    const wake = this.wake;
    this.wake = undefined;
    wake?.();
  }
}
