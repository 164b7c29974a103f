/**
 * Runs `go` with a Ctrl-C handler, installed only while the run goes, so any other command keeps
 * Node's default. The first Ctrl-C aborts the run through `signal` (its checkpoint stays, so
 * `quorum resume` carries on; a step cut off mid-way runs again); a second quits at once.
 */
export async function withCtrlC<T>(
  go: (signal: AbortSignal) => Promise<T>,
): Promise<{ value: T; interrupted: boolean }> {
  const controller = new AbortController();
  let presses = 0;
  const onSigint = () => {
    presses += 1;
    if (presses > 1) process.exit(130);
    process.stderr.write("stopping the run; its checkpoint stays (Ctrl-C again to quit now)\n");
    controller.abort("interrupted by Ctrl-C");
  };
  process.on("SIGINT", onSigint);
  try {
    const value = await go(controller.signal);
    return { value, interrupted: presses > 0 };
  } finally {
    process.off("SIGINT", onSigint);
  }
}
