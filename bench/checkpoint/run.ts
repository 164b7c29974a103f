/**
 * Checkpoint storage and resume cost by run length, on every store: a chain of N sequential plan
 * steps run on SQLite (a file, WAL) and on Postgres (when QUORUM_TEST_POSTGRES names a server;
 * each row on a fresh database). Bytes are what the store holds for the thread (checkpoints,
 * channel values, writes, Quorum's tables), from the stored values' lengths, so fixed page and
 * index overhead does not hide the growth; the SQLite file's size is reported beside them. Each run
 * crashes: the verifier throws on the last step (the process's view of a kill after the last
 * checkpoint), a fresh Team on the reopened store resumes the thread, and the resume is timed.
 * Usage: node --import tsx bench/checkpoint/run.ts [repeats=3] [lengths=10,100,1000]
 * (lengths of 1,000 and more run once).
 */
import { mkdtempSync, rmSync, statSync } from "node:fs";
import { loadavg, tmpdir } from "node:os";
import { join } from "node:path";
import pg from "pg";
import {
  RuleVerifier,
  ScriptedPlanner,
  ScriptedSpecialist,
  TemplateSupervisor,
  type Verifier,
} from "../../src/agents/index.js";
import {
  createTeam,
  PostgresRunStore,
  type RunStore,
  SqliteRunStore,
  type TeamConfig,
} from "../../src/graph/index.js";
import { writeResult } from "../lib/results.js";
import { machine, round, summarize } from "../lib/stats.js";

const repeats = Number(process.argv[2] ?? 3);
const LENGTHS = (process.argv[3] ?? "10,100,1000").split(",").map(Number);
const WHO = ["alpha", "beta", "gamma"];
const POSTGRES = process.env.QUORUM_TEST_POSTGRES || undefined;

class CrashOnce extends Error {}

function config(n: number, crashAt: string | null): TeamConfig {
  const steps = Array.from({ length: n }, (_, i) => ({
    id: `s${i + 1}`,
    assignee: WHO[i % WHO.length] as string,
    description: `part ${i + 1}`,
    toolCalls: [],
    dependsOn: i > 0 ? [`s${i}`] : [],
  }));
  const rules = new RuleVerifier({ final: { contains: ["done"] } });
  let crashed = false;
  const verifier: Verifier = {
    async verify(input) {
      if (!crashed && crashAt && input.subject.kind === "step" && input.subject.step.id === crashAt) {
        crashed = true;
        throw new CrashOnce("simulated crash");
      }
      return rules.verify(input);
    },
  };
  return {
    planner: { name: "planner", impl: new ScriptedPlanner([{ steps }]) },
    specialists: WHO.map((name) => ({ name, impl: new ScriptedSpecialist({}) })),
    verifier: { name: "verifier", impl: verifier },
    supervisor: { name: "supervisor", impl: new TemplateSupervisor({ template: `done after {{s${n}}}` }) },
    budgets: { maxSteps: 5000 },
  };
}

/** A store kind: how to open a fresh one, and how many bytes a thread holds in it. */
interface Kind {
  name: "sqlite" | "postgres";
  fresh(label: string): Promise<{ store: () => Promise<RunStore>; drop: () => Promise<void> }>;
  bytes(store: RunStore): Promise<{ stored: number; file?: number }>;
}

const dir = mkdtempSync(join(tmpdir(), "quorum-bench-ckpt-"));

const SQLITE_BYTES = `SELECT
  (SELECT COALESCE(SUM(LENGTH(checkpoint) + LENGTH(metadata)), 0) FROM quorum_checkpoints) +
  (SELECT COALESCE(SUM(LENGTH(blob)), 0) FROM quorum_checkpoint_blobs) +
  (SELECT COALESCE(SUM(LENGTH(blob)), 0) FROM quorum_checkpoint_writes) +
  (SELECT COALESCE(SUM(LENGTH(COALESCE(result, ''))), 0) FROM quorum_tool_journal) AS n`;

const POSTGRES_BYTES = `SELECT
  (SELECT COALESCE(SUM(pg_column_size(checkpoint) + pg_column_size(metadata)), 0) FROM checkpoints) +
  (SELECT COALESCE(SUM(COALESCE(octet_length(blob), 0)), 0) FROM checkpoint_blobs) +
  (SELECT COALESCE(SUM(octet_length(blob)), 0) FROM checkpoint_writes) +
  (SELECT COALESCE(SUM(octet_length(COALESCE(result, ''))), 0) FROM quorum_tool_journal) AS n`;

const sqlite: Kind = {
  name: "sqlite",
  async fresh(label) {
    const path = join(dir, `${label}.db`);
    return { store: async () => new SqliteRunStore(path), drop: async () => rmSync(path, { force: true }) };
  },
  async bytes(store) {
    const s = store as SqliteRunStore;
    s.db.pragma("wal_checkpoint(TRUNCATE)");
    const stored = (s.db.prepare(SQLITE_BYTES).get() as { n: number }).n;
    return { stored, file: statSync(s.path).size };
  },
};

async function admin<T>(fn: (c: pg.Client) => Promise<T>): Promise<T> {
  const c = new pg.Client({ connectionString: POSTGRES });
  await c.connect();
  try {
    return await fn(c);
  } finally {
    await c.end();
  }
}

const postgres: Kind = {
  name: "postgres",
  async fresh(label) {
    const name = `quorum_bench_${label.replace(/\W/g, "_")}_${process.pid}`;
    await admin((c) =>
      c.query(`DROP DATABASE IF EXISTS ${name} WITH (FORCE)`).then(() => c.query(`CREATE DATABASE ${name}`)),
    );
    const url = new URL(POSTGRES as string);
    url.pathname = `/${name}`;
    return {
      store: () => PostgresRunStore.open(url.toString()),
      drop: () => admin((c) => c.query(`DROP DATABASE IF EXISTS ${name} WITH (FORCE)`)).then(() => undefined),
    };
  },
  async bytes(store) {
    const { rows } = await (store as PostgresRunStore).pool.query<{ n: string }>(POSTGRES_BYTES);
    return { stored: Number(rows[0]?.n ?? 0) };
  },
};

const ms = (a: bigint, b: bigint) => Number(b - a) / 1e6;

/**
 * The run that crashes on the last step's verification (timed: all but the last two supersteps).
 * Its team is unreachable once this returns, as a crashed process holds nothing: the resume that
 * follows does not collect garbage around it.
 */
async function crash(store: RunStore, n: number): Promise<number> {
  const crashing = createTeam({
    ...config(n, `s${n}`),
    checkpointer: store.checkpointer,
    journal: store.journal,
  });
  const t0 = process.hrtime.bigint();
  const crashed = await crashing.run("assemble", { threadId: "t" }).then(
    () => false,
    (e: unknown) => e instanceof CrashOnce || (e as { cause?: unknown }).cause instanceof CrashOnce,
  );
  const t1 = process.hrtime.bigint();
  if (!crashed) throw new Error("the simulated crash did not stop the run");
  await store.close();
  return ms(t0, t1);
}

/** The least time JSON.parse takes to read the log back (items and events): a floor for any resume. */
function parseFloorMs(log: { items: unknown[]; events: unknown[] }): number {
  const text = JSON.stringify(log);
  let best = Number.POSITIVE_INFINITY;
  for (let i = 0; i < 5; i++) {
    const t = process.hrtime.bigint();
    JSON.parse(text);
    best = Math.min(best, ms(t, process.hrtime.bigint()));
  }
  return best;
}

/**
 * One run on a fresh store that crashes (`crash`), then a fresh team on the reopened store
 * resumes it to the end (timed), and the store's bytes for the whole run are measured.
 */
async function once(kind: Kind, n: number, r: number) {
  const fresh = await kind.fresh(`n${n}-r${r}`);
  const runMs = await crash(await fresh.store(), n);
  const store = await fresh.store();
  const team = createTeam({ ...config(n, null), checkpointer: store.checkpointer, journal: store.journal });
  const t2 = process.hrtime.bigint();
  await team.state("t");
  const t3 = process.hrtime.bigint();
  const resumed = await team.resume("t");
  const t4 = process.hrtime.bigint();
  if (resumed.status !== "finished") throw new Error(`resume: ${resumed.status} ${resumed.reason}`);
  let checkpoints = 0;
  for await (const _ of store.checkpointer.list({ configurable: { thread_id: "t" } })) checkpoints += 1;
  const bytes = await kind.bytes(store);
  await store.close();
  await fresh.drop();
  return {
    runMs,
    parseMs: parseFloorMs(resumed),
    loadMs: ms(t2, t3),
    resumeMs: ms(t2, t4),
    checkpoints,
    items: resumed.items.length,
    bytes,
  };
}

interface Row {
  store: string;
  storedBytesPerStep: number;
  resumeAfterCrashMs: { mean: number; p50: number };
  logJsonParseMs: { mean: number; p50: number };
  [field: string]: unknown;
}

const kinds = [sqlite, ...(POSTGRES ? [postgres] : [])];
const rows: Row[] = [];
try {
  for (const kind of kinds) {
    for (const n of LENGTHS) {
      process.stderr.write(`  checkpoint: ${kind.name}, ${n} steps\n`);
      // The first run of a store's first length warms up (JIT, statements) and is not counted.
      const warm = n === LENGTHS[0] ? 1 : 0;
      // Runs of 1,000 steps and more are measured once (minutes each on Postgres).
      const times = (n >= 1000 ? 1 : repeats) + warm;
      const samples = [];
      for (let r = 0; r < times; r++) samples.push(await once(kind, n, r));
      const counted = samples.slice(warm);
      const last = counted[counted.length - 1] ?? samples[0];
      if (!last) continue;
      const run = summarize(counted.map((s) => s.runMs));
      const resume = summarize(counted.map((s) => s.resumeMs));
      const load = summarize(counted.map((s) => s.loadMs));
      const parse = summarize(counted.map((s) => s.parseMs));
      rows.push({
        store: kind.name,
        planSteps: n,
        supersteps: last.checkpoints - 1,
        checkpoints: last.checkpoints,
        itemsPerRun: last.items,
        storedKiB: round(last.bytes.stored / 1024, 1),
        storedBytesPerStep: Math.round(last.bytes.stored / n),
        ...(last.bytes.file !== undefined ? { fileKiB: round(last.bytes.file / 1024, 1) } : {}),
        msPerRunToCrash: { mean: run.meanMs, p50: run.p50Ms },
        msPerSuperstep: round(run.meanMs / Math.max(1, last.checkpoints - 3), 3),
        loadStateMs: { mean: load.meanMs, p50: load.p50Ms },
        resumeAfterCrashMs: { mean: resume.meanMs, p50: resume.p50Ms },
        logJsonParseMs: { mean: parse.meanMs, p50: parse.p50Ms },
      });
      process.stderr.write(`    ${JSON.stringify(rows[rows.length - 1])}\n`);
    }
  }
} finally {
  rmSync(dir, { recursive: true, force: true });
}

const ratio = (store: string, field: (row: Row) => number) => {
  const mine = rows.filter((r) => r.store === store);
  const a = mine[0];
  const b = mine[mine.length - 1];
  return a && b ? round(field(b) / field(a), 2) : null;
};
const result = {
  machine: machine(),
  command: `node --import tsx bench/checkpoint/run.ts${process.argv[2] ? ` ${process.argv.slice(2).join(" ")}` : ""}`,
  loadAverage: round(loadavg()[0] ?? 0, 2),
  repeats,
  note: "Plan of N sequential steps; a superstep is one LangGraph step (plan, execute, verify). Stored bytes: the lengths of what the store holds for the run (checkpoints, channel values, writes, tool journal), not page or index overhead. Resume = read the checkpoint, rebuild the log, and finish the run from the last checkpoint (the last verification, supervision and final answer), in a process where the crashed team is no longer reachable. logJsonParseMs: the least time one JSON.parse of the run's log (items and events, as JSON text) takes, a floor for any resume that returns the whole log.",
  ratiosLongestToShortest: Object.fromEntries(
    kinds.map((k) => [
      k.name,
      {
        storedBytesPerStep: ratio(k.name, (r) => r.storedBytesPerStep),
        resumeAfterCrashP50: ratio(k.name, (r) => r.resumeAfterCrashMs.p50),
        resumeAfterCrashP50MinusLogParse: ratio(
          k.name,
          (r) => r.resumeAfterCrashMs.p50 - r.logJsonParseMs.p50,
        ),
      },
    ]),
  ),
  rows,
};
writeResult("checkpoint", result);
console.log(JSON.stringify({ ratios: result.ratiosLongestToShortest, rows }, null, 2));
