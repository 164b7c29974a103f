/**
 * Tracer scale: IDG build and root-cause search on generated runs of 10k, 100k and 1M items
 * (exact edges) and on generated imported logs (inferred edges), each size in a fresh process.
 * The 1M-item run, the one with a time target, is measured several times (fresh processes) and
 * reported by its median, with every repeat's total kept: one run on a shared machine can land
 * a few hundred milliseconds either way.
 * Usage: node --import tsx bench/trace-scale/run.ts [maxImportedSize=100000] [millionRepeats=5]
 */
import { execFileSync } from "node:child_process";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";
import { writeResult } from "../lib/results.js";
import { machine, round } from "../lib/stats.js";

const maxImported = Number(process.argv[2] ?? 100_000);
const millionRepeats = Math.max(1, Number(process.argv[3] ?? 5));
const here = dirname(fileURLToPath(import.meta.url));

interface Row {
  size: number;
  source: "run" | "imported";
  edges: number;
  buildMs: number;
  rootCauseMs: number;
  totalMs: number;
  buildCpuMs: number;
  rootCauseCpuMs: number;
  inputHeapMiB: number;
  tracerPeakHeapMiB: number;
  peakRssMiB: number;
  rssAboveInputMiB: number;
  topCandidate: unknown;
  plantedFound: boolean;
}

interface Failure {
  size: number;
  source: "run" | "imported";
  error: string;
}

function measure(size: number, source: "run" | "imported"): Row | Failure {
  process.stderr.write(`  trace-scale: ${source} ${size}\n`);
  try {
    const out = execFileSync(
      process.execPath,
      [
        "--expose-gc",
        "--max-old-space-size=4096",
        "--import",
        "tsx",
        join(here, "child.ts"),
        String(size),
        source,
      ],
      { encoding: "utf8", stdio: ["ignore", "pipe", "pipe"] },
    );
    return JSON.parse(out.trim().split("\n").pop() ?? "{}") as Row;
  } catch (error) {
    // A size the tracer cannot handle is a result too: keep its error line.
    const stderr = String((error as { stderr?: unknown }).stderr ?? error);
    const line = stderr.split("\n").find((l) => /Error/.test(l)) ?? stderr.split("\n")[0] ?? "failed";
    return { size, source, error: line.trim() };
  }
}

const failures: Failure[] = [];
const sizes = [10_000, 100_000, 1_000_000];
const rows: Row[] = [];
const plan = [
  ...sizes.map((s) => [s, "run"] as const),
  ...[10_000, 30_000, 100_000].filter((s) => s <= maxImported).map((s) => [s, "imported"] as const),
];
const millionTotals: number[] = [];
for (const [size, source] of plan) {
  const repeats = size === 1_000_000 && source === "run" ? millionRepeats : 1;
  const measured: Row[] = [];
  for (let r = 0; r < repeats; r++) {
    const m = measure(size, source);
    if ("error" in m) failures.push(m);
    else measured.push(m);
  }
  if (measured.length === 0) continue;
  measured.sort((a, b) => a.totalMs - b.totalMs);
  if (repeats > 1) millionTotals.push(...measured.map((m) => m.totalMs));
  rows.push(measured[Math.floor((measured.length - 1) / 2)] as Row);
}

function growth(source: "run" | "imported") {
  const rs = rows.filter((r) => r.source === source);
  return rs.slice(1).map((r, i) => {
    const prev = rs[i] as Row;
    return {
      from: prev.size,
      to: r.size,
      timeFactor: round(r.totalMs / prev.totalMs, 2),
      memoryFactor: round(r.tracerPeakHeapMiB / Math.max(0.1, prev.tracerPeakHeapMiB), 2),
    };
  });
}

const million = rows.find((r) => r.source === "run" && r.size === 1_000_000);
const result = {
  machine: machine(),
  command: ["node --import tsx bench/trace-scale/run.ts", ...process.argv.slice(2)].join(" "),
  rows,
  failures,
  growthPer10x: { run: growth("run"), imported: growth("imported") },
  target: "linear; 1M items under 3 s and 1 GiB",
  millionItems: million
    ? {
        // The median repeat's row; every repeat's total, fastest first.
        totalMs: million.totalMs,
        repeatsTotalMs: millionTotals,
        repeatsUnderThreeSeconds: millionTotals.filter((t) => t < 3000).length,
        cpuMs: round(million.buildCpuMs + million.rootCauseCpuMs, 1),
        underThreeSeconds: million.totalMs < 3000,
        // The tracer's own memory: the process's peak RSS above what it held with the input
        // loaded (the generated items and events alone take about 490 MiB of heap).
        tracerMiB: million.rssAboveInputMiB,
        peakRssMiB: million.peakRssMiB,
        underOneGiB: million.rssAboveInputMiB < 1024,
      }
    : null,
};
writeResult("trace-scale", result);
console.log(
  "source    size      edges     build ms  root-cause ms  total ms  cpu ms  tracer heap MiB  RSS above input MiB",
);
for (const r of rows) {
  console.log(
    `${r.source.padEnd(9)} ${String(r.size).padStart(8)} ${String(r.edges).padStart(10)} ${r.buildMs.toFixed(0).padStart(10)} ${r.rootCauseMs.toFixed(0).padStart(14)} ${r.totalMs.toFixed(0).padStart(9)} ${(r.buildCpuMs + r.rootCauseCpuMs).toFixed(0).padStart(7)} ${r.tracerPeakHeapMiB.toFixed(0).padStart(16)} ${r.rssAboveInputMiB.toFixed(0).padStart(20)}`,
  );
}
for (const f of failures)
  console.log(`${f.source.padEnd(9)} ${String(f.size).padStart(8)}  FAILED: ${f.error}`);
console.log(JSON.stringify(result.growthPer10x));
