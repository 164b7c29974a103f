/**
 * `npm run bench`: every benchmark, one after another, each in its own process, each writing
 * bench/results/<name>.json. Sizes are chosen to finish in about ten minutes on a 2-core machine;
 * each bench can be run alone with larger sizes (see bench/README.md).
 */
import { execFileSync } from "node:child_process";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";

const here = dirname(fileURLToPath(import.meta.url));
const steps: Array<{ name: string; script: string; args: string[]; gc: boolean }> = [
  { name: "overhead", script: "overhead/run.ts", args: ["250", "2"], gc: false },
  { name: "load", script: "load/run.ts", args: ["1000"], gc: true },
  { name: "guards", script: "guards/run.ts", args: [], gc: true },
  { name: "checkpoint", script: "checkpoint/run.ts", args: ["3"], gc: false },
  { name: "trace-scale", script: "trace-scale/run.ts", args: [], gc: false },
  { name: "telemetry", script: "telemetry/run.ts", args: ["100"], gc: false },
];
const only = process.argv.slice(2);
const started = Date.now();
let failed = 0;
for (const step of steps) {
  if (only.length > 0 && !only.includes(step.name)) continue;
  const t0 = Date.now();
  process.stderr.write(`\n== ${step.name}\n`);
  try {
    execFileSync(
      process.execPath,
      [...(step.gc ? ["--expose-gc"] : []), "--import", "tsx", join(here, step.script), ...step.args],
      { stdio: "inherit" },
    );
  } catch {
    failed += 1;
    process.stderr.write(`!! ${step.name} failed\n`);
  }
  process.stderr.write(`== ${step.name}: ${((Date.now() - t0) / 1000).toFixed(1)} s\n`);
}
process.stderr.write(`\nall benches: ${((Date.now() - started) / 1000).toFixed(1)} s\n`);
if (failed > 0) process.exitCode = 1;
