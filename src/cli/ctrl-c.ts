/**
 * Ctrl-C during a run or resume: the first press stops the run (its checkpoint stays, so `quorum
 * resume` carries on; a step cut off mid-way runs again), the second quits at once. Installed only
 * while a run is going, so any other command keeps Node's default.
 */
export class CtrlC {
  private readonly controller = new AbortController();
  private presses = 0;
  private readonly onSigint = () => {
    this.presses += 1;
    if (this.presses > 1) process.exit(130);
    process.stderr.write("stopping the run; its checkpoint stays (Ctrl-C again to quit now)\n");
    this.controller.abort("interrupted by Ctrl-C");
  };

  constructor() {
    process.on("SIGINT", this.onSigint);
  }

  get signal(): AbortSignal {
    return this.controller.signal;
  }

  get pressed(): boolean {
    return this.presses > 0;
  }

  dispose(): void {
    process.off("SIGINT", this.onSigint);
  }
}

/** Runs `go` with a Ctrl-C handler; says whether Ctrl-C stopped it. */
export async function withCtrlC<T>(
  go: (signal: AbortSignal) => Promise<T>,
): Promise<{ value: T; interrupted: boolean }> {
  const ctrlC = new CtrlC();
  try {
    const value = await go(ctrlC.signal);
    return { value, interrupted: ctrlC.pressed };
  } finally {
    ctrlC.dispose();
  }
}
