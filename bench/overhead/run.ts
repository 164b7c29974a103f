/**
 * Orchestration overhead, side by side: each variant runs in its own child process (so one
 * framework's caches and heap never touch another's), in interleaved rounds (so a change in the
 * machine's load hits every variant alike). Writes bench/results/overhead.json (the five variants)
 * and bench/results/overhead-detail.json (wall and CPU time, context rows, ratios, notes).
 * Usage: node --import tsx bench/overhead/run.ts [runsPerRound] [rounds]
 */
import { execFileSync } from "node:child_process";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";
import { writeResult } from "../lib/results.js";
import { machine, round } from "../lib/stats.js";
import type { Variant } from "./variant.js";
import { CONTEXT_VARIANTS, loadVariant, MAIN_VARIANTS } from "./variants/index.js";

const runsPerRound = Number(process.argv[2] ?? 500);
const rounds = Number(process.argv[3] ?? 2);
const warmup = 100;
const here = dirname(fileURLToPath(import.meta.url));

interface Stat {
  n: number;
  meanMs: number;
  p50Ms: number;
  p99Ms: number;
  maxMs: number;
}
interface ChildResult {
  name: string;
  modelCallsPerRun: number;
  wall: Stat;
  cpu: Stat;
  heapGrowthKbPer1000: number;
  runs: number;
  loadAverage: number;
}

function child(name: string): ChildResult {
  const out = execFileSync(
    process.execPath,
    ["--expose-gc", "--import", "tsx", join(here, "child.ts"), name, String(runsPerRound), String(warmup)],
    { encoding: "utf8", stdio: ["ignore", "pipe", "inherit"], maxBuffer: 1 << 24 },
  );
  const line = out.trim().split("\n").pop() ?? "";
  return JSON.parse(line) as ChildResult;
}

/** Pools rounds: means weighted by runs, percentiles averaged (each round has the same n). */
function pool(parts: ChildResult[]): ChildResult {
  const first = parts[0] as ChildResult;
  const avg = (f: (c: ChildResult) => number) => parts.reduce((s, c) => s + f(c), 0) / parts.length;
  const stat = (k: "wall" | "cpu"): Stat => ({
    n: parts.reduce((s, c) => s + c[k].n, 0),
    meanMs: round(
      avg((c) => c[k].meanMs),
      4,
    ),
    p50Ms: round(
      avg((c) => c[k].p50Ms),
      4,
    ),
    p99Ms: round(
      avg((c) => c[k].p99Ms),
      4,
    ),
    maxMs: round(Math.max(...parts.map((c) => c[k].maxMs)), 4),
  });
  return {
    name: first.name,
    modelCallsPerRun: first.modelCallsPerRun,
    wall: stat("wall"),
    cpu: stat("cpu"),
    heapGrowthKbPer1000: round(
      avg((c) => c.heapGrowthKbPer1000),
      1,
    ),
    runs: parts.reduce((s, c) => s + c.runs, 0),
    loadAverage: round(
      avg((c) => c.loadAverage),
      2,
    ),
  };
}

const names = [...MAIN_VARIANTS, ...CONTEXT_VARIANTS];
const collected = new Map<string, ChildResult[]>(names.map((n) => [n, []]));
for (let r = 0; r < rounds; r++) {
  for (const name of names) {
    process.stderr.write(`  overhead round ${r + 1}/${rounds}: ${name}\n`);
    collected.get(name)?.push(child(name));
  }
}
const pooled = new Map(names.map((n) => [n, pool(collected.get(n) ?? [])]));
const base = pooled.get("stategraph") as ChildResult;
const sdk = pooled.get("openai-agents") as ChildResult;
const notes = new Map<string, string>();
for (const n of names) notes.set(n, ((await loadVariant(n)) as Variant).notes);

const usPerStep = (c: ChildResult, k: "wall" | "cpu") => round((c[k].meanMs * 1000) / c.modelCallsPerRun, 1);
const floor = pooled.get("langgraph-floor-lean") as ChildResult;
const guarded = pooled.get("quorum-guarded") as ChildResult;
const overhead = {
  // The target: quorum-guarded at most 1.3x LangGraph's lean floor per step, same run.
  quorumGuardedOverFloorLeanPerStep: {
    wall: round(usPerStep(guarded, "wall") / usPerStep(floor, "wall"), 2),
    cpu: round(usPerStep(guarded, "cpu") / usPerStep(floor, "cpu"), 2),
    target: 1.3,
  },
  variants: [...MAIN_VARIANTS, "langgraph-floor-lean" as const].map((n) => {
    const c = pooled.get(n) as ChildResult;
    return {
      name: c.name,
      modelCallsPerRun: c.modelCallsPerRun,
      meanMs: c.wall.meanMs,
      p50Ms: c.wall.p50Ms,
      p99Ms: c.wall.p99Ms,
      usPerStep: usPerStep(c, "wall"),
      heapGrowthKbPer1000: c.heapGrowthKbPer1000,
    };
  }),
};
const detail = {
  machine: machine(),
  command: `node --import tsx bench/overhead/run.ts ${runsPerRound} ${rounds}`,
  runsPerRoundPerVariant: runsPerRound,
  rounds,
  warmupPerProcess: warmup,
  target: "quorum-guarded under 600 us per agent step, below stategraph and openai-agents per step",
  variants: names.map((n) => {
    const c = pooled.get(n) as ChildResult;
    return {
      ...c,
      usPerStepWall: usPerStep(c, "wall"),
      usPerStepCpu: usPerStep(c, "cpu"),
      perRunRatioToStategraph: {
        wall: round(c.wall.meanMs / base.wall.meanMs, 2),
        cpu: round(c.cpu.meanMs / base.cpu.meanMs, 2),
      },
      perStepRatioToStategraph: {
        wall: round(usPerStep(c, "wall") / usPerStep(base, "wall"), 2),
        cpu: round(usPerStep(c, "cpu") / usPerStep(base, "cpu"), 2),
      },
      // The target compares with the agents SDK per step; a ratio from the same run holds across
      // machines where the absolute figures do not.
      perStepRatioToOpenaiAgents: {
        wall: round(usPerStep(c, "wall") / usPerStep(sdk, "wall"), 2),
        cpu: round(usPerStep(c, "cpu") / usPerStep(sdk, "cpu"), 2),
      },
      notes: notes.get(n),
    };
  }),
};
writeResult("overhead", overhead);
writeResult("overhead-detail", detail);
console.log(
  "variant                      calls  wall ms/run  cpu ms/run  us/step(wall)  us/step(cpu)  x stategraph(cpu/run)  heap KB/1000",
);
for (const v of detail.variants) {
  console.log(
    `${v.name.padEnd(28)} ${String(v.modelCallsPerRun).padStart(5)}  ${v.wall.meanMs.toFixed(2).padStart(11)}  ${v.cpu.meanMs.toFixed(2).padStart(10)}  ${v.usPerStepWall.toFixed(0).padStart(13)}  ${v.usPerStepCpu.toFixed(0).padStart(12)}  ${v.perRunRatioToStategraph.cpu.toFixed(2).padStart(21)}  ${v.heapGrowthKbPer1000.toFixed(0).padStart(12)}`,
  );
}
