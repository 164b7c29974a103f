import cliProgress from "cli-progress";

export interface Progress {
  tick(label?: string): void;
  stop(): void;
}

/**
 * Progress on stderr, so `--json` on stdout stays machine-readable. A bar on a terminal; on a
 * pipe or in CI, a plain line every tenth of the work so logs stay short.
 */
export function createProgress(title: string, total: number, options: { quiet?: boolean } = {}): Progress {
  if (options.quiet || total <= 0) return { tick() {}, stop() {} };
  if (process.stderr.isTTY) {
    const bar = new cliProgress.SingleBar(
      { format: `${title} [{bar}] {value}/{total} {label}`, stream: process.stderr, hideCursor: true },
      cliProgress.Presets.shades_classic,
    );
    bar.start(total, 0, { label: "" });
    return {
      tick(label = "") {
        bar.increment(1, { label });
      },
      stop() {
        bar.stop();
      },
    };
  }
  let done = 0;
  let lastTenth = -1;
  return {
    tick() {
      done += 1;
      const tenth = Math.floor((done * 10) / total);
      if (tenth !== lastTenth) {
        lastTenth = tenth;
        process.stderr.write(`${title}: ${done}/${total}\n`);
      }
    },
    stop() {},
  };
}
