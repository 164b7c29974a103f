/**
 * Batch evaluations on the Postgres queue (issue 19). A model-mode MAGPIE batch against the local
 * OpenAI-compatible test server, which answers every call after a fixed delay (a stand-in for a
 * hosted model): the local run, 1 worker process, 4 worker processes, and 4 with one SIGKILLed
 * mid-batch, whose report must equal the local one. Then the queue's own cost per job, in process:
 * wall time minus the units' own run time, over many near-instant rule-mode units, beside pg-boss's
 * work() loop at its shortest polling interval.
 * Usage: QUORUM_TEST_POSTGRES=postgres://... node --import tsx bench/distributed/run.ts [scenarios=24] [delayMs=100]
 */
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { loadavg, tmpdir } from "node:os";
import { join } from "node:path";
import { magpieBatch, magpieHarness } from "../../src/eval/magpie/batch.js";
import {
  batchState,
  connectQueue,
  enqueueBatch,
  finished,
  type QueueConnection,
  runWorker,
} from "../../src/queue/index.js";
import { startTestServer } from "../../src/testing/index.js";
import { NO_MODEL, negotiationResponder, spawnCli } from "../../tests/queue/helpers.js";
import { freshDatabase, POSTGRES_URL } from "../../tests/store/postgres.js";
import { writeResult } from "../lib/results.js";
import { machine, round } from "../lib/stats.js";

const scenarios = Number(process.argv[2] ?? 24);
const delayMs = Number(process.argv[3] ?? 100);
if (!POSTGRES_URL) {
  process.stderr.write("set QUORUM_TEST_POSTGRES (bash scripts/postgres-throwaway.sh start prints it)\n");
  process.exit(2);
}

const dir = mkdtempSync(join(tmpdir(), "quorum-distributed-"));
const data = join(dir, "scenarios.jsonl");
/** The fixture's three-agent scenarios, copied under new ids up to the size asked for. */
function writeScenarios(n: number): void {
  const rows = readFileSync("tests/magpie/fixtures/rows.jsonl", "utf8")
    .split("\n")
    .flatMap((l) => {
      try {
        const r = JSON.parse(l) as { file_name?: string; agent_number?: number };
        return r.agent_number === 3 ? [r] : [];
      } catch {
        return [];
      }
    });
  const out = Array.from({ length: n }, (_, i) => {
    const r = rows[i % rows.length] as { file_name: string };
    return JSON.stringify({ ...r, file_name: `${r.file_name}_${i + 1}` });
  });
  writeFileSync(data, `${out.join("\n")}\n`);
}

const server = await startTestServer({ defaultReply: negotiationResponder(delayMs) });
const database = await freshDatabase("quorum_bench_queue");
const env = { ...NO_MODEL, QUORUM_MODEL_MAX_RETRIES: "0" };
const magpieArgs = ["eval", "magpie", "--data", data, "--model", "bench-model", "--base-url", server.url];
const workerArgs = ["worker", "--queue", database.url, "--idle-poll-ms", "50", "--lease-check", "1"];

async function cli(args: string[]): Promise<string> {
  const r = await spawnCli(args, env).done;
  if (r.code !== 0) throw new Error(`quorum ${args.join(" ")} failed (${r.code}): ${r.stderr}`);
  return r.stdout;
}

const canonical = (json: string) => JSON.stringify(JSON.parse(json));

/**
 * Starts `workers` worker processes and waits until each is connected (a process start costs
 * seconds on a loaded 2-core host, and workers are long-lived), then enqueues the batch and times
 * it until every unit has its result. With `kill`, the first worker is SIGKILLed inside its second
 * unit; its job goes to another worker once the lease has run out.
 */
async function distributed(
  q: QueueConnection,
  workers: number,
  kill?: { leaseSeconds: number },
): Promise<{ ms: number; startMs: number; report: string; killed: boolean }> {
  const s0 = performance.now();
  let killed = false;
  const ready: Array<Promise<void>> = [];
  const procs = Array.from({ length: workers }, (_, i) => {
    let up: () => void = () => undefined;
    ready.push(new Promise<void>((resolve) => (up = resolve)));
    return spawnCli(workerArgs, env, (stderr) => {
      if (stderr.includes("worker on ")) up();
      // After its first result, 10 model calls into the next unit.
      if (i === 0 && kill && !killed && stderr.includes("done batch_")) {
        killed = true;
        const at = server.stats.chatRequests + 10;
        const tick = setInterval(() => {
          if (server.stats.chatRequests >= at) {
            clearInterval(tick);
            procs[0]?.child.kill("SIGKILL");
          }
        }, 5);
      }
    });
  });
  await Promise.all(ready);
  const startMs = performance.now() - s0;
  // What `quorum eval magpie --data ... --model ... --queue` enqueues.
  const { spec, units } = magpieBatch(
    {
      data,
      model: "bench-model",
      baseUrl: server.url,
      privacy: "explicit",
      guard: [],
      agents: "rule",
      judge: true,
    },
    env,
  );
  const t0 = performance.now();
  const leaseSeconds = kill?.leaseSeconds ?? 1800;
  const batch = await enqueueBatch(q, { harness: "magpie", spec, units, leaseSeconds, attempts: 3 });
  while (!finished((await batchState(q, batch)).status)) await new Promise((r) => setTimeout(r, 100));
  const ms = performance.now() - t0;
  for (const p of procs) p.child.kill("SIGTERM");
  for (const [i, r] of (await Promise.all(procs.map((p) => p.done))).entries()) {
    if (r.code !== 0 && !(i === 0 && killed)) throw new Error(`worker ${i} failed (${r.code}): ${r.stderr}`);
  }
  const report = await cli(["eval", "report", batch, "--queue", database.url, "--json"]);
  return { ms, startMs, report: canonical(report), killed };
}

/** The queue's cost per job: wall time of a worker slot minus its units' own time, per unit. */
async function overheadPerJob(q: QueueConnection, units: number): Promise<Record<string, number>> {
  const { spec, units: base } = magpieBatch(
    {
      data: "tests/magpie/fixtures/rows.jsonl",
      privacy: "explicit",
      guard: [],
      agents: "rule",
      judge: false,
    },
    NO_MODEL,
  );
  const many = Array.from({ length: units }, (_, i) => ({
    id: `u${i}`,
    payload: base[i % base.length]?.payload,
  }));
  const batch = await enqueueBatch(q, {
    harness: "magpie",
    spec,
    units: many,
    leaseSeconds: 60,
    attempts: 3,
  });
  const t0 = performance.now();
  await runWorker(q, {
    harnesses: [magpieHarness],
    concurrency: 1,
    drain: true,
    idlePollMs: 50,
    context: { env: NO_MODEL },
  });
  const wallMs = performance.now() - t0;
  const results = await q.store.results(batch);
  const unitMs = results.reduce((n, r) => n + r.durationMs, 0);
  // pg-boss's own loop: after a job shorter than the polling interval it waits out the interval.
  const jobs = 10;
  await q.boss.createQueue("bench-work-loop");
  await q.boss.insert(Array.from({ length: jobs }, () => ({ name: "bench-work-loop", data: {} })));
  let seen = 0;
  const t1 = performance.now();
  const loopMs = await new Promise<number>((resolve) => {
    void q.boss.work("bench-work-loop", { pollingIntervalSeconds: 0.5 }, async () => {
      seen += 1;
      if (seen === jobs) setTimeout(() => resolve(performance.now() - t1), 0);
    });
  });
  await q.boss.offWork("bench-work-loop");
  return {
    units,
    wallMs: round(wallMs, 0),
    unitMsTotal: round(unitMs, 0),
    perJobMs: round((wallMs - unitMs) / units, 2),
    pgBossWorkLoopPerJobMs: round(loopMs / jobs, 1),
  };
}

try {
  writeScenarios(scenarios);
  process.stderr.write(`local run: ${scenarios} scenarios, ${delayMs} ms per model call\n`);
  const t0 = performance.now();
  const local = canonical(await cli([...magpieArgs, "--json", "--quiet"]));
  const localMs = performance.now() - t0;
  const calls = (JSON.parse(local) as { overall: { modelCalls: number } }).overall.modelCalls;
  process.stderr.write(`local: ${Math.round(localMs)} ms, ${calls} model calls\n`);
  const q = await connectQueue(database.url);
  const one = await distributed(q, 1);
  process.stderr.write(`1 worker: ${Math.round(one.ms)} ms\n`);
  const four = await distributed(q, 4);
  process.stderr.write(
    `4 workers: ${Math.round(four.ms)} ms (${Math.round(four.startMs)} ms to start them)\n`,
  );
  const killed = await distributed(q, 4, { leaseSeconds: 10 });
  process.stderr.write(`4 workers, one killed: ${Math.round(killed.ms)} ms (killed: ${killed.killed})\n`);
  const overhead = await overheadPerJob(q, 300).finally(() => q.close());
  process.stderr.write(`queue overhead: ${overhead.perJobMs} ms per job\n`);
  const path = writeResult("distributed", {
    bench: "distributed",
    command: `node --import tsx bench/distributed/run.ts ${scenarios} ${delayMs}`,
    scenarios,
    modelDelayMs: delayMs,
    modelCalls: calls,
    localMs: round(localMs, 0),
    oneWorkerMs: round(one.ms, 0),
    fourWorkersMs: round(four.ms, 0),
    fourOverOne: round(four.ms / one.ms, 3),
    workerStartMs: { one: round(one.startMs, 0), four: round(four.startMs, 0) },
    oneWorkerMatchesLocal: one.report === local,
    fourWorkersMatchLocal: four.report === local,
    killedRunMs: round(killed.ms, 0),
    killedLeaseSeconds: 10,
    workerKilled: killed.killed,
    killedRunMatchesLocal: killed.killed && killed.report === local,
    queueOverhead: overhead,
    loadavg: loadavg().map((x) => round(x, 2)),
    machine: machine(),
  });
  process.stderr.write(`wrote ${path}\n`);
} finally {
  await server.close();
  await database.drop();
  rmSync(dir, { recursive: true, force: true });
}
