/**
 * What watching a run costs: the incident-response scenario (plan guard, three parallel
 * specialists with tools, a verifier retry) run plainly, with an onEvent callback, consumed as
 * team.stream(), and with the OpenTelemetry observer on the real SDK (in-memory exporter). The
 * variants alternate within each repeat (in a rotating order), so machine load hits them alike; ratios are to the
 * plain run of the same process. CPU time per run is reported beside wall time: on a shared,
 * loaded host it moves less than wall time does.
 * Usage: node --import tsx bench/telemetry/run.ts [repeats]
 */
import { loadavg } from "node:os";
import {
  BasicTracerProvider,
  InMemorySpanExporter,
  SimpleSpanProcessor,
} from "@opentelemetry/sdk-trace-base";
import type { TeamEvent } from "../../src/core/index.js";
import { teamFromScenario } from "../../src/graph/from-scenario.js";
import { loadScenario } from "../../src/graph/scenario.js";
import type { Team } from "../../src/graph/team.js";
import type { TeamResult } from "../../src/graph/team-types.js";
import { createOtelObserver } from "../../src/trace/index.js";
import { writeResult } from "../lib/results.js";
import { machine, round, summarize } from "../lib/stats.js";

const repeats = Number(process.argv[2] ?? 200);
const WARMUP = 20;
const scenario = loadScenario("scenarios/incident-response.yaml");
const exporter = new InMemorySpanExporter();
const tracer = new BasicTracerProvider({ spanProcessors: [new SimpleSpanProcessor(exporter)] }).getTracer(
  "bench",
);
const otel = await createOtelObserver({ tracer });

const plain = teamFromScenario(scenario);
const traced = teamFromScenario(scenario);
let events = 0;
const count = (_e: TeamEvent) => {
  events += 1;
};

type Variant = { name: string; run: (thread: string) => Promise<{ team: Team; result: TeamResult }> };
const variants: Variant[] = [
  {
    name: "plain",
    run: async (t) => ({ team: plain, result: await plain.run(scenario.task, { threadId: t }) }),
  },
  {
    name: "onEvent",
    run: async (t) => ({
      team: plain,
      result: await plain.run(scenario.task, { threadId: t, onEvent: count }),
    }),
  },
  {
    name: "stream",
    run: async (t) => {
      const stream = plain.stream(scenario.task, { threadId: t });
      for await (const e of stream) count(e);
      return { team: plain, result: await stream.result };
    },
  },
  {
    name: "otel",
    run: async (t) => ({
      team: traced,
      result: await traced.run(scenario.task, { threadId: t, onEvent: (e) => otel.onEvent(e) }),
    }),
  },
];

const samples = new Map(variants.map((v) => [v.name, [] as number[]]));
const cpu = new Map(variants.map((v) => [v.name, [] as number[]]));
const perRun = { events: 0, spans: 0 };
for (let r = 0; r < repeats + WARMUP; r++) {
  // Each repeat starts with another variant, so none always pays the garbage of the one before.
  for (const v of [...variants.slice(r % variants.length), ...variants.slice(0, r % variants.length)]) {
    events = 0;
    exporter.reset();
    const thread = `${v.name}-${r}`;
    const c0 = process.cpuUsage();
    const t0 = process.hrtime.bigint();
    const { team, result } = await v.run(thread);
    const ms = Number(process.hrtime.bigint() - t0) / 1e6;
    const c1 = process.cpuUsage(c0);
    team.release(thread);
    if (result.status !== "finished") throw new Error(`${v.name}: ${result.status} ${result.reason}`);
    if (r >= WARMUP) {
      samples.get(v.name)?.push(ms);
      cpu.get(v.name)?.push((c1.user + c1.system) / 1000);
    }
    if (v.name === "stream") perRun.events = events;
    if (v.name === "otel") perRun.spans = exporter.getFinishedSpans().length;
  }
}
const base = summarize(samples.get("plain") ?? []);
const baseCpu = summarize(cpu.get("plain") ?? []);
const rows = variants.map((v) => {
  const s = summarize(samples.get(v.name) ?? []);
  const c = summarize(cpu.get(v.name) ?? []);
  return {
    variant: v.name,
    wall: { ...s, p50Ratio: round(s.p50Ms / base.p50Ms, 3) },
    cpu: { ...c, p50Ratio: round(c.p50Ms / baseCpu.p50Ms, 3) },
  };
});
for (const row of rows)
  process.stderr.write(
    `  ${row.variant.padEnd(8)} wall p50 ${row.wall.p50Ms} ms x${row.wall.p50Ratio}  cpu p50 ${row.cpu.p50Ms} ms x${row.cpu.p50Ratio}\n`,
  );
const path = writeResult("telemetry", {
  bench: "telemetry",
  scenario: "scenarios/incident-response.yaml",
  repeats,
  eventsPerRun: perRun.events,
  spansPerRun: perRun.spans,
  loadavg: loadavg().map((x) => round(x, 2)),
  machine: machine(),
  rows,
});
process.stderr.write(`wrote ${path}\n`);
