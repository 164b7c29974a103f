/**
 * One tracer measurement in a fresh process: node --expose-gc --import tsx bench/trace-scale/child.ts <size> <run|imported>
 * Prints one JSON line: build and root-cause time, and the tracer's peak memory above the input's.
 */
import { buildIdg, findRootCause } from "../../src/trace/index.js";
import { round, settleHeap } from "../lib/stats.js";
import { generateRun } from "./generate.js";

const size = Number(process.argv[2] ?? 10_000);
const source = (process.argv[3] ?? "run") as "run" | "imported";
const input = generateRun(size, source);
const heapInput = settleHeap();
const rssInput = process.memoryUsage().rss;
let peakHeap = heapInput;
const sample = () => {
  peakHeap = Math.max(peakHeap, process.memoryUsage().heapUsed);
};
const timer = setInterval(sample, 2);
const c0 = process.cpuUsage();
const t0 = process.hrtime.bigint();
const idg = buildIdg(input);
const t1 = process.hrtime.bigint();
const c1 = process.cpuUsage();
sample();
const report = findRootCause(input, idg);
const t2 = process.hrtime.bigint();
const c2 = process.cpuUsage();
const cpuMs = (a: NodeJS.CpuUsage, b: NodeJS.CpuUsage) =>
  round((b.user - a.user + b.system - a.system) / 1000, 1);
sample();
clearInterval(timer);
const top = report.candidates?.[0];
process.stdout.write(
  `${JSON.stringify({
    size,
    source,
    edges: idg.edgeCount,
    buildMs: round(Number(t1 - t0) / 1e6, 1),
    rootCauseMs: round(Number(t2 - t1) / 1e6, 1),
    totalMs: round(Number(t2 - t0) / 1e6, 1),
    // CPU time of the process (the garbage collector's helper threads included): less disturbed
    // than wall time by other jobs on a shared machine.
    buildCpuMs: cpuMs(c0, c1),
    rootCauseCpuMs: cpuMs(c1, c2),
    inputHeapMiB: round(heapInput / 2 ** 20, 1),
    tracerPeakHeapMiB: round((peakHeap - heapInput) / 2 ** 20, 1),
    peakRssMiB: round(process.resourceUsage().maxRSS / 1024, 1),
    rssAboveInputMiB: round((process.resourceUsage().maxRSS * 1024 - rssInput) / 2 ** 20, 1),
    topCandidate: top ? { id: top.itemId, agent: top.agent, step: top.step } : null,
    plantedFound: top?.itemId === `i${Math.floor(size * 0.1)}`,
  })}\n`,
);
