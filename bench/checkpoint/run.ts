/**
 * Checkpoint cost: a chain of N sequential plan steps run with the SQLite checkpointer (a file on
 * disk, WAL) and with the in-memory one; the difference per superstep is what durability costs.
 * Then a crash: the verifier throws on the last step (the process's view of a kill after the last
 * checkpoint), a fresh Team on the same database resumes the thread, and the resume is timed.
 * Usage: node --import tsx bench/checkpoint/run.ts [repeats]
 */
import { mkdtempSync, rmSync, statSync } from "node:fs";
import { loadavg, tmpdir } from "node:os";
import { join } from "node:path";
import { MemorySaver } from "@langchain/langgraph";
import {
  RuleVerifier,
  ScriptedPlanner,
  ScriptedSpecialist,
  TemplateSupervisor,
  type Verifier,
} from "../../src/agents/index.js";
import { createTeam, SqliteRunStore, type TeamConfig } from "../../src/graph/index.js";
import { writeResult } from "../lib/results.js";
import { machine, round, summarize } from "../lib/stats.js";

const repeats = Number(process.argv[2] ?? 20);
const LENGTHS = [3, 10, 30];
const WHO = ["alpha", "beta", "gamma"];

class CrashOnce extends Error {}

function config(n: number, crashAt: string | null): TeamConfig {
  const steps = Array.from({ length: n }, (_, i) => ({
    id: `s${i + 1}`,
    assignee: WHO[i % WHO.length] as string,
    description: `part ${i + 1}`,
    toolCalls: [],
    dependsOn: i > 0 ? [`s${i}`] : [],
  }));
  const rules = new RuleVerifier({}, { contains: ["done"], notContains: [] });
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
    supervisor: { name: "supervisor", impl: new TemplateSupervisor(`done after {{s${n}}}`) },
    budgets: { maxSteps: 1000 },
  };
}

const dir = mkdtempSync(join(tmpdir(), "quorum-bench-ckpt-"));
const rows = [];
try {
  for (const n of LENGTHS) {
    process.stderr.write(`  checkpoint: ${n} steps\n`);
    const memory: number[] = [];
    const sqlite: number[] = [];
    const resume: number[] = [];
    const load: number[] = [];
    let supersteps = 0;
    let checkpoints = 0;
    let dbBytes = 0;
    let items = 0;
    const memTeam = createTeam({ ...config(n, null), checkpointer: new MemorySaver() });
    for (let r = 0; r < repeats + 2; r++) {
      // Alternate the two so a change in machine load hits both alike; the first two are warm-up.
      const t0 = process.hrtime.bigint();
      const m = await memTeam.run("assemble", { threadId: `m${r}` });
      const t1 = process.hrtime.bigint();
      memTeam.release(`m${r}`);
      if (m.status !== "finished") throw new Error(`memory run: ${m.status} ${m.reason}`);

      const path = join(dir, `n${n}-r${r}.db`);
      const store = new SqliteRunStore(path);
      const team = createTeam({
        ...config(n, null),
        checkpointer: store.checkpointer,
        journal: store.journal,
      });
      const t2 = process.hrtime.bigint();
      const s = await team.run("assemble", { threadId: "t" });
      const t3 = process.hrtime.bigint();
      if (s.status !== "finished") throw new Error(`sqlite run: ${s.status} ${s.reason}`);
      if (r >= 2) {
        memory.push(Number(t1 - t0) / 1e6);
        sqlite.push(Number(t3 - t2) / 1e6);
      }
      let count = 0;
      for await (const _ of store.checkpointer.list({ configurable: { thread_id: "t" } })) count += 1;
      checkpoints = count;
      supersteps = count - 1;
      items = s.items.length;
      store.close();
      dbBytes = statSync(path).size + (statSync(`${path}-wal`, { throwIfNoEntry: false })?.size ?? 0);

      // Crash on the last step's verification, then resume from a fresh team on the same file.
      const crashPath = join(dir, `n${n}-r${r}-crash.db`);
      const crashStore = new SqliteRunStore(crashPath);
      const crashing = createTeam({
        ...config(n, `s${n}`),
        checkpointer: crashStore.checkpointer,
        journal: crashStore.journal,
      });
      const crashed = await crashing.run("assemble", { threadId: "c" }).then(
        () => false,
        (e: unknown) => e instanceof CrashOnce || (e as { cause?: unknown }).cause instanceof CrashOnce,
      );
      if (!crashed) throw new Error("the simulated crash did not stop the run");
      crashStore.close();
      const reopened = new SqliteRunStore(crashPath);
      const fresh = createTeam({
        ...config(n, null),
        checkpointer: reopened.checkpointer,
        journal: reopened.journal,
      });
      const t4 = process.hrtime.bigint();
      await fresh.state("c");
      const t5 = process.hrtime.bigint();
      const resumed = await fresh.resume("c");
      const t6 = process.hrtime.bigint();
      if (resumed.status !== "finished") throw new Error(`resume: ${resumed.status} ${resumed.reason}`);
      if (r >= 2) {
        load.push(Number(t5 - t4) / 1e6);
        resume.push(Number(t6 - t4) / 1e6);
      }
      reopened.close();
    }
    const mm = summarize(memory);
    const ss = summarize(sqlite);
    const rr = summarize(resume);
    const ll = summarize(load);
    rows.push({
      planSteps: n,
      supersteps,
      checkpoints,
      itemsPerRun: items,
      dbKiB: round(dbBytes / 1024, 1),
      memoryMsPerRun: { mean: mm.meanMs, p50: mm.p50Ms, p99: mm.p99Ms },
      sqliteMsPerRun: { mean: ss.meanMs, p50: ss.p50Ms, p99: ss.p99Ms },
      sqliteExtraMsPerSuperstep: round((ss.meanMs - mm.meanMs) / Math.max(1, supersteps), 3),
      sqliteMsPerSuperstep: round(ss.meanMs / Math.max(1, supersteps), 3),
      loadStateMs: { mean: ll.meanMs, p50: ll.p50Ms },
      resumeAfterCrashMs: { mean: rr.meanMs, p50: rr.p50Ms, p99: rr.p99Ms },
    });
  }
} finally {
  rmSync(dir, { recursive: true, force: true });
}

const result = {
  machine: machine(),
  command: `node --import tsx bench/checkpoint/run.ts${process.argv[2] ? ` ${process.argv[2]}` : ""}`,
  loadAverage: round(loadavg()[0] ?? 0, 2),
  repeats,
  note: "Plan of N sequential steps; a superstep is one LangGraph step (plan, execute, verify). Resume = read the checkpoint, rebuild the log, and finish the run from the last checkpoint (the last verification, supervision and final answer).",
  rows,
};
writeResult("checkpoint", result);
console.log(JSON.stringify(rows, null, 2));
