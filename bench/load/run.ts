/**
 * Issue 7.7: 1,000 concurrent deterministic team runs in one process. Checks that every run
 * finishes, that no item or event of one run carries another run's id or content, and that the
 * heap returns to its baseline once the runs are released.
 * Usage: node --expose-gc --import tsx bench/load/run.ts [runs]
 */
import { loadavg } from "node:os";
import { MemorySaver } from "@langchain/langgraph";
import type { Specialist } from "../../src/agents/index.js";
import type { TeamResult } from "../../src/graph/index.js";
import { writeResult } from "../lib/results.js";
import { machine, round, settleHeap, summarize } from "../lib/stats.js";
import { allGuards, benchTeam, lookup } from "../overhead/quorum-team.js";

const runs = Number(process.argv[2] ?? 1000);

/** Looks up and answers with its own run's token, so any cross-run mix-up shows in the content. */
const echo: Specialist = {
  async execute(input) {
    const token = /task-\d+/.exec(input.task)?.[0] ?? "none";
    const r = await input.env.callTool(lookup, { key: `${token}-${input.step.id}` }, { callIndex: 0 });
    return { output: `${input.step.assignee} done for ${token}: ${JSON.stringify(r.value)}` };
  },
};

function leaks(r: TeamResult, runId: string, token: string): string[] {
  const problems: string[] = [];
  for (const item of r.items) {
    if (item.runId !== runId) problems.push(`item ${item.id} has runId ${item.runId}`);
    const text = JSON.stringify(item.content);
    for (const m of text.matchAll(/task-\d+/g))
      if (m[0] !== token) problems.push(`item ${item.id} mentions ${m[0]}`);
  }
  for (const e of r.events) if (e.runId !== runId) problems.push(`event ${e.seq} has runId ${e.runId}`);
  const ids = new Set(r.items.map((i) => i.id));
  for (const item of r.items)
    for (const p of item.derivedFrom)
      if (!ids.has(p)) problems.push(`item ${item.id} derives from foreign ${p}`);
  return problems;
}

const checkpointer = new MemorySaver();
const team = benchTeam({
  guards: allGuards(),
  extra: {
    checkpointer,
    specialists: ["alpha", "beta", "gamma"].map((name) => ({ name, impl: echo, tools: [lookup] })),
  },
});

// Warm up the code paths (JIT, module caches) so the baseline is not taken before them.
for (let i = 0; i < 20; i++) {
  const w = await team.run(`warm task-w${i}`, { threadId: `w${i}`, runId: `rw${i}` });
  if (w.status !== "finished") throw new Error(`warm-up run failed: ${w.reason}`);
  team.release(`w${i}`);
  await checkpointer.deleteThread(`w${i}`);
}
interface Round {
  totalMs: number;
  latencies: number[];
  errors: number;
  unfinished: number;
  leakCount: number;
  leakExamples: string[];
  items: number;
  peak: number;
  retainedWithCheckpoints: number;
  after: number;
}

/** Starts every run at once, checks each result, then releases runtimes and checkpoints. */
async function round_(tag: string): Promise<Round> {
  let peak = process.memoryUsage().heapUsed;
  let nodes = 0;
  // Timers do not fire while a thousand runs keep the microtask queue busy: sample on progress.
  const onNode = () => {
    if (++nodes % 50 === 0) peak = Math.max(peak, process.memoryUsage().heapUsed);
  };
  const started = process.hrtime.bigint();
  const latencies: number[] = [];
  const settled = await Promise.allSettled(
    Array.from({ length: runs }, async (_, i) => {
      const t0 = process.hrtime.bigint();
      const r = await team.run(`assemble the parts of task-${i}`, {
        threadId: `${tag}-${i}`,
        runId: `${tag}-run-${i}`,
        onNode,
      });
      latencies.push(Number(process.hrtime.bigint() - t0) / 1e6);
      return r;
    }),
  );
  const totalMs = Number(process.hrtime.bigint() - started) / 1e6;
  peak = Math.max(peak, process.memoryUsage().heapUsed);
  const out: Round = {
    totalMs,
    latencies,
    errors: 0,
    unfinished: 0,
    leakCount: 0,
    leakExamples: [],
    items: 0,
    peak,
    retainedWithCheckpoints: 0,
    after: 0,
  };
  settled.forEach((s, i) => {
    if (s.status === "rejected") {
      out.errors += 1;
      if (out.leakExamples.length < 5) out.leakExamples.push(`run ${i} threw: ${String(s.reason)}`);
      return;
    }
    const r = s.value;
    out.items += r.items.length;
    if (r.status !== "finished") out.unfinished += 1;
    const found = leaks(r, `${tag}-run-${i}`, `task-${i}`);
    out.leakCount += found.length;
    for (const f of found) if (out.leakExamples.length < 5) out.leakExamples.push(`run ${i}: ${f}`);
  });
  settled.length = 0;
  out.retainedWithCheckpoints = settleHeap();
  for (let i = 0; i < runs; i++) {
    team.release(`${tag}-${i}`);
    await checkpointer.deleteThread(`${tag}-${i}`);
  }
  out.after = settleHeap();
  return out;
}

const baseline = settleHeap();
const first = await round_("a");
const second = await round_("b");
const mib = (b: number) => round(b / 2 ** 20, 2);
const lat = summarize([...first.latencies, ...second.latencies]);
const errors = first.errors + second.errors;
const unfinished = first.unfinished + second.unfinished;
const leakCount = first.leakCount + second.leakCount;
const result = {
  machine: machine(),
  command: "node --expose-gc --import tsx bench/load/run.ts",
  loadAverage: round(loadavg()[0] ?? 0, 2),
  runs,
  rounds: 2,
  concurrency: runs,
  guards: "plan rules, ToM, CoDef, leak detector",
  errors,
  unfinished,
  crossRunLeaks: leakCount,
  leakExamples: [...first.leakExamples, ...second.leakExamples].slice(0, 5),
  itemsPerRun: round(first.items / Math.max(1, runs - first.errors), 1),
  totalMsPerRound: [round(first.totalMs, 1), round(second.totalMs, 1)],
  runsPerSecond: round(((2 * runs) / (first.totalMs + second.totalMs)) * 1000, 1),
  latencyMs: { p50: lat.p50Ms, p99: lat.p99Ms, max: lat.maxMs },
  heapMiB: {
    baseline: mib(baseline),
    peakRound1: mib(first.peak),
    afterRound1CheckpointsKept: mib(first.retainedWithCheckpoints),
    afterRound1Released: mib(first.after),
    peakRound2: mib(second.peak),
    afterRound2Released: mib(second.after),
  },
  checkpointKbPerRun: round((first.retainedWithCheckpoints - first.after) / 1024 / runs, 1),
  /** One-time growth (JIT code, caches filled by the first thousand concurrent runs). */
  firstRoundGrowthKb: round((first.after - baseline) / 1024, 1),
  /** What a second thousand runs leaves behind: a per-run leak would show here. */
  secondRoundGrowthKb: round((second.after - first.after) / 1024, 1),
  returnedToBaseline: second.after - first.after < 512 * 1024,
};
const path = writeResult("load", result);
console.log(JSON.stringify(result, null, 2));
console.log(`wrote ${path}`);
if (errors > 0 || unfinished > 0 || leakCount > 0) process.exitCode = 1;
