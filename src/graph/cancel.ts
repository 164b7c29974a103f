/**
 * What a run listens to for cancellation: the caller's signal, a wall-clock limit, or both. The
 * reason says which fired, in words naming the limit.
 */
export class RunCancel {
  readonly signal: AbortSignal | undefined;
  private why: string | undefined;
  private readonly cleanups: Array<() => void> = [];

  constructor(options: { signal?: AbortSignal | undefined; timeoutMs?: number | undefined }) {
    const { signal, timeoutMs } = options;
    if (!signal && timeoutMs === undefined) return;
    const controller = new AbortController();
    const abort = (why: string) => {
      if (this.why !== undefined) return;
      this.why = why;
      controller.abort(new Error(why));
    };
    if (signal) {
      const onAbort = () => abort(cancelledReason(signal.reason));
      if (signal.aborted) onAbort();
      else {
        signal.addEventListener("abort", onAbort, { once: true });
        this.cleanups.push(() => signal.removeEventListener("abort", onAbort));
      }
    }
    if (timeoutMs !== undefined) {
      const timer = setTimeout(
        () => abort(`wall-clock limit of ${timeoutMs} ms (timeoutMs) reached`),
        timeoutMs,
      );
      this.cleanups.push(() => clearTimeout(timer));
    }
    this.signal = controller.signal;
  }

  /** Why the run was cancelled; undefined while it was not. */
  get reason(): string | undefined {
    return this.why;
  }

  dispose(): void {
    for (const cleanup of this.cleanups.splice(0)) cleanup();
  }
}

function cancelledReason(reason: unknown): string {
  // An AbortController aborted without a reason gives a generic AbortError: say only "cancelled".
  if (typeof reason === "string" && reason !== "") return `cancelled: ${reason}`;
  if (reason instanceof Error && reason.name !== "AbortError") return `cancelled: ${reason.message}`;
  return "cancelled";
}
