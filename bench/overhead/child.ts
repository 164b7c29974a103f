/**
 * Runs one variant in this process and prints its measurements as one JSON line on stdout.
 * Usage: node --expose-gc --import tsx bench/overhead/child.ts <variant> [runs] [warmup]
 */
import { loadavg } from "node:os";
import { round, settleHeap, summarize } from "../lib/stats.js";
import { loadVariant } from "./variants/index.js";

const [name, runsArg, warmupArg] = process.argv.slice(2);
if (!name) throw new Error("usage: child.ts <variant> [runs] [warmup]");
const runs = Number(runsArg ?? 2000);
const warmup = Number(warmupArg ?? 200);
const variant = await loadVariant(name);
const instance = await variant.setup();

for (let i = 0; i < warmup; i++) await instance.run(-1 - i);
const callsBefore = instance.modelCalls();
const heapBefore = settleHeap();
const wall: number[] = [];
const cpu: number[] = [];
const load0 = loadavg()[0] ?? 0;
for (let i = 0; i < runs; i++) {
  const c0 = process.cpuUsage();
  const t0 = process.hrtime.bigint();
  await instance.run(i);
  wall.push(Number(process.hrtime.bigint() - t0) / 1e6);
  const c = process.cpuUsage(c0);
  cpu.push((c.user + c.system) / 1000);
}
const load1 = loadavg()[0] ?? 0;
const heapAfter = settleHeap();
const calls = (instance.modelCalls() - callsBefore) / runs;
const w = summarize(wall);
const c = summarize(cpu);
process.stdout.write(
  `${JSON.stringify({
    name: variant.name,
    modelCallsPerRun: round(calls, 2),
    wall: w,
    cpu: c,
    heapGrowthKbPer1000: round((heapAfter - heapBefore) / 1024 / (runs / 1000), 1),
    runs,
    warmup,
    loadAverage: round((load0 + load1) / 2, 2),
  })}\n`,
);
