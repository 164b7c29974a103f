/**
 * Guard cost: symbolic ToM and CoDef verdict latency with a 10k-item ledger, the plan guard on
 * plans of 5 and 50 steps, the leak-detector message guard per message; and, beside them, the
 * model-mode guards' extra model calls and tokens, counted against the local test server.
 * Each guard's steady state is measured in five rounds after a warm-up; the median round is kept.
 * Usage: node --expose-gc --import tsx bench/guards/run.ts
 */
import { loadavg } from "node:os";
import { EventLog, type Item } from "../../src/core/index.js";
import { createPlanGuard } from "../../src/guards/plan/index.js";
import { CoDefGuard, LeakMessageGuard, TomGuard } from "../../src/guards/privacy/index.js";
import type { MessageGuard, PlanStepView, Verdict } from "../../src/guards/types.js";
import { columnLabel, rowLabel, sourceLabel } from "../../src/memory/index.js";
import { createChatModel } from "../../src/models/index.js";
import { startTestServer } from "../../src/testing/index.js";
import { writeResult } from "../lib/results.js";
import { machine, round, summarize } from "../lib/stats.js";

const RUN = "bench";
const DEFENDERS = ["alpha", "beta", "gamma"] as const;
const ASKER = "eve";
const TABLES = { alpha: "salaries", beta: "addresses", gamma: "badges" } as const;
const policy = {
  sensitive: DEFENDERS.map((owner) => ({ owner, table: TABLES[owner] })),
  owned: Object.fromEntries(DEFENDERS.map((o) => [o, [{ owner: o, table: TABLES[o] }]])),
};

/** A deterministic pseudo-random sequence, so every run builds the same log. */
function rng(seed: number): () => number {
  let s = seed >>> 0;
  return () => {
    s = (s * 1664525 + 1013904223) >>> 0;
    return s / 2 ** 32;
  };
}

/**
 * A run of `size` items: queries from the asker, table reads (tool results labelled with their
 * source rows and columns), answers derived from them delivered to the asker, and peer chatter.
 * The asker ends up holding beta's table only, so the measured answer from alpha is allowed.
 */
function ledgerLog(size: number): { log: EventLog; toolResults: Map<string, string[]> } {
  const log = new EventLog();
  const r = rng(7);
  const toolResults = new Map<string, string[]>(DEFENDERS.map((d) => [d, []]));
  const recent: string[] = [];
  for (let n = 0; log.size < size; n++) {
    const step = 1 + Math.floor(n / 10);
    const q = log.add(RUN, {
      step,
      author: ASKER,
      kind: "query",
      content: `question ${n}`,
      audience: [...DEFENDERS],
    });
    const defender = DEFENDERS[Math.floor(r() * DEFENDERS.length)] as (typeof DEFENDERS)[number];
    log.deliver(q.id, defender, step, "message");
    const ref = { owner: defender, table: r() < 0.5 ? TABLES[defender] : `${defender}-public` };
    const row = Math.floor(r() * 50);
    const result = log.add(RUN, {
      step,
      author: `tool:read_${defender}`,
      kind: "tool_result",
      content: { row, value: `cell ${n}` },
      audience: [defender],
      labels: [sourceLabel(ref), rowLabel(ref, row), columnLabel(ref, "value")],
      derivedFrom: [q.id],
    });
    toolResults.get(defender)?.push(result.id);
    log.deliver(result.id, defender, step, "tool_result");
    // The asker only ever gets beta's sensitive rows and public tables from the others.
    const toAsker = defender === "beta" || ref.table.endsWith("-public");
    const answer = log.add(RUN, {
      step,
      author: defender,
      kind: "answer",
      content: `answer ${n}`,
      audience: toAsker ? [ASKER] : [defender],
      derivedFrom: [result.id, ...(recent.length ? [recent[Math.floor(r() * recent.length)] as string] : [])],
    });
    if (toAsker) log.deliver(answer.id, ASKER, step, "message");
    recent.push(answer.id);
    if (recent.length > 20) recent.shift();
  }
  return { log, toolResults };
}

function draftFrom(author: string, parent: string, step: number): Item {
  return {
    id: "",
    runId: RUN,
    step,
    author,
    kind: "answer",
    content: "the requested rows",
    audience: [ASKER],
    sensitivity: "internal",
    labels: [],
    derivedFrom: [parent],
  };
}

async function timeGuard(
  guard: MessageGuard,
  log: EventLog,
  drafts: Item[],
  iterations: number,
  warmup: number,
) {
  let k = 0;
  const check = () => {
    const d = drafts[k++ % drafts.length] as Item;
    return guard.checkMessage({ log, runId: RUN, step: d.step, message: d, from: d.author, to: [ASKER] });
  };
  const t0 = process.hrtime.bigint();
  const v0 = await check();
  const coldMs = Number(process.hrtime.bigint() - t0) / 1e6;
  // As for the plan guard: the JIT warm-up is timed and reported on its own.
  const warm = await timeChecks(check, warmup);
  const steady = await timeRounds(check, iterations);
  return { coldMs: round(coldMs, 3), warmup: { checks: warmup, ...warm }, ...steady, decision: v0.decision };
}

function planSteps(n: number): PlanStepView[] {
  const tools = ["search_web", "read_file", "lookup", "summarize", "send_email", "write_file"];
  return Array.from({ length: n }, (_, i) => {
    const tool = tools[i % tools.length] as string;
    const args: Record<string, unknown> =
      tool === "send_email"
        ? { to: "team@example.com", subject: `status ${i}`, body: "weekly summary" }
        : tool === "write_file"
          ? { path: `out/report-${i}.md`, content: "summary" }
          : { query: `topic ${i}` };
    return {
      id: `s${i + 1}`,
      assignee: DEFENDERS[i % 3] as string,
      tool,
      args,
      dependsOn: i > 0 ? [`s${i}`] : [],
      toolCalls: [{ tool, args }],
      description: `step ${i + 1}: ${tool}`,
    };
  });
}

/** Wall time of each of `n` checks (µs), and the process's CPU time (all threads) per check. */
async function timeChecks(check: () => unknown, n: number) {
  const samples: number[] = [];
  const c0 = process.cpuUsage();
  for (let i = 0; i < n; i++) {
    const t = process.hrtime.bigint();
    await check();
    samples.push(Number(process.hrtime.bigint() - t) / 1e3);
  }
  const cpu = process.cpuUsage(c0);
  const s = summarize(samples);
  return {
    p50Us: round(s.p50Ms, 1),
    p99Us: round(s.p99Ms, 1),
    meanUs: round(s.meanMs, 1),
    cpuMeanUs: round((cpu.user + cpu.system) / n, 1),
  };
}

/**
 * The steady state measured in `ROUNDS` rounds of `n` checks: a single p99 on a shared machine
 * moves with whatever else ran in those few milliseconds, so the round with the median p99 is
 * reported, with every round's p99 beside it.
 */
async function timeRounds(check: () => unknown, n: number) {
  const rounds: Array<Awaited<ReturnType<typeof timeChecks>>> = [];
  for (let r = 0; r < ROUNDS; r++) rounds.push(await timeChecks(check, n));
  rounds.sort((a, b) => a.p99Us - b.p99Us);
  const median = rounds[Math.floor((rounds.length - 1) / 2)] as (typeof rounds)[number];
  return { ...median, roundsP99Us: rounds.map((x) => x.p99Us) };
}

async function timePlan(steps: PlanStepView[], iterations: number, warmup: number) {
  const guard = createPlanGuard({
    mode: "rules",
    tools: [
      { name: "search_web", description: "search the web", effects: ["reads"] },
      { name: "read_file", description: "read a file", effects: [] },
      { name: "lookup", description: "look a key up", effects: [] },
      { name: "summarize", description: "summarize text", effects: [] },
      { name: "send_email", description: "send an email", effects: ["sends_outside"], sinks: ["email"] },
      { name: "write_file", description: "write a file", effects: ["writes"] },
    ],
  });
  const log = new EventLog();
  const task = log.add(RUN, {
    step: 0,
    author: "user",
    kind: "task",
    content: "research the topics, write the report and email the team a weekly summary",
  });
  const plan = log.add(RUN, {
    step: 1,
    author: "planner",
    kind: "plan",
    content: { steps },
    derivedFrom: [task.id],
  });
  const input = { log, runId: RUN, step: 2, plan, task, steps };
  const t0 = process.hrtime.bigint();
  const v = await guard.checkPlan(input);
  const coldMs = Number(process.hrtime.bigint() - t0) / 1e6;
  // During the first few thousand checks V8 compiles the guard's hot code, in background threads
  // that compete with the checks for the cores: a one-time cost of the process, timed and reported
  // on its own (`warmup`) instead of being mixed into the steady state that follows.
  const warm = await timeChecks(() => guard.checkPlan(input), warmup);
  const steady = await timeRounds(() => guard.checkPlan(input), iterations);
  return {
    steps: steps.length,
    coldMs: round(coldMs, 3),
    warmup: { checks: warmup, ...warm },
    ...steady,
    decision: v.decision,
  };
}

// --- symbolic privacy guards on a 10k-item ledger ---------------------------------------------
const ITER = 2000;
const ROUNDS = 5;
const { log, toolResults } = ledgerLog(10_000);
const alphaRows = (toolResults.get("alpha") ?? []).slice(-200);
const drafts = alphaRows.map((id, i) => draftFrom("alpha", id, 10_000 + i));
const GUARD_WARMUP = 1000;
const tom = await timeGuard(new TomGuard({ policy }), log, drafts, ITER, GUARD_WARMUP);
const codef = await timeGuard(
  new CoDefGuard({ policy, voters: [...DEFENDERS] }),
  log,
  drafts,
  ITER,
  GUARD_WARMUP,
);

// --- leak detector message guard per message ------------------------------------------------
const leakGuard = new LeakMessageGuard({
  mode: "redact",
  items: [
    { id: "p1", owner: "alpha", key: "salary", value: "Dana's salary is 182,500 dollars a year" },
    { id: "p2", owner: "alpha", key: "badge", value: "badge number 4417-22-981 for the east door" },
    { id: "p3", owner: "alpha", key: "diagnosis", value: "was treated for a knee injury in March" },
  ],
});
const messages = Array.from({ length: 50 }, (_, i) =>
  draftFrom("alpha", alphaRows[i] as string, 20_000 + i),
).map((d, i) => ({
  ...d,
  content: `Update ${i}: the vendor review is on track, we compared three offers and the cheapest one meets the security checklist; next meeting on day ${i % 28} at 10:00.`,
}));
const leak = await timeGuard(leakGuard, log, messages, ITER, GUARD_WARMUP);

// --- plan guard ------------------------------------------------------------------------------
const PLAN_WARMUP = 3000;
const plan5 = await timePlan(planSteps(5), ITER, PLAN_WARMUP);
const plan50 = await timePlan(planSteps(50), 500, PLAN_WARMUP);

// --- model mode: extra calls and tokens against the test server ------------------------------
const server = await startTestServer({
  defaultReply: (request) => {
    const text = JSON.stringify(request.messages);
    if (/Vote/.test(text)) return { content: "Vote: A\nReason: no sensitive combination" };
    if (/Adversarial Intent/.test(text))
      return { content: "Likely Inference: rows of one table\nAdversarial Intent: No\nSuspected Goal: none" };
    return { content: "There are no risks in these actions." };
  },
});
/** Model calls the server saw and the tokens the guards' verdicts report, per check. */
async function modelCost(checks: Array<() => Promise<Verdict>>) {
  const before = server.requests.filter((r) => r.path.endsWith("/chat/completions")).length;
  let tokens = 0;
  let reported = 0;
  const decisions = new Map<string, number>();
  for (const check of checks) {
    const v = await check();
    decisions.set(v.decision, (decisions.get(v.decision) ?? 0) + 1);
    if (v.tokens !== undefined) {
      tokens += v.tokens;
      reported += 1;
    }
  }
  const calls = server.requests.filter((r) => r.path.endsWith("/chat/completions")).length - before;
  return {
    checks: checks.length,
    modelCallsPerCheck: round(calls / checks.length, 2),
    tokensPerCheck: reported ? round(tokens / checks.length, 1) : null,
    decisions: Object.fromEntries(decisions),
  };
}
const model = createChatModel({
  baseURL: server.url,
  apiKey: "test",
  model: "bench-model",
  maxRetries: 0,
  timeoutMs: 10_000,
});
const tableDrafts = drafts.slice(0, 20);
const onMessages = (g: MessageGuard) =>
  tableDrafts.map(
    (d) => async () =>
      g.checkMessage({ log, runId: RUN, step: d.step, message: d, from: d.author, to: [ASKER] }),
  );
const tomModel = await modelCost(onMessages(new TomGuard({ policy, model })));
const codefModel = await modelCost(onMessages(new CoDefGuard({ policy, voters: [...DEFENDERS], model })));
const judge = createPlanGuard({ mode: "judge", judge: model });
const layered = createPlanGuard({ mode: "layered", judge: model });
const planInput = (n: number) => {
  const plog = new EventLog();
  const task = plog.add(RUN, { step: 0, author: "user", kind: "task", content: "research and report" });
  const steps = planSteps(n);
  const plan = plog.add(RUN, {
    step: 1,
    author: "planner",
    kind: "plan",
    content: { steps },
    derivedFrom: [task.id],
  });
  return { log: plog, runId: RUN, step: 2, plan, task, steps };
};
const judge5 = await modelCost(Array.from({ length: 10 }, () => async () => judge.checkPlan(planInput(5))));
const judge50 = await modelCost(Array.from({ length: 10 }, () => async () => judge.checkPlan(planInput(50))));
const layered5 = await modelCost(
  Array.from({ length: 10 }, () => async () => layered.checkPlan(planInput(5))),
);
await server.close();

const result = {
  machine: machine(),
  command: "node --expose-gc --import tsx bench/guards/run.ts",
  loadAverage: round(loadavg()[0] ?? 0, 2),
  ledgerItems: log.size,
  ledgerEvents: log.eventCount,
  askerHolds: log.seenBy(RUN, ASKER).length,
  symbolic: {
    tom: { ...tom, iterations: ITER },
    codef: { ...codef, voters: DEFENDERS.length, iterations: ITER },
    leakDetector: { ...leak, protectedItems: 3, iterations: ITER },
    plan5: { ...plan5, iterations: ITER },
    plan50: { ...plan50, iterations: 500 },
  },
  targets: {
    privacyP99Us: 200,
    plan50P99Us: 1000,
    // Judged on the median round; the rounds under the target are counted beside it.
    tomMet: tom.p99Us < 200,
    codefMet: codef.p99Us < 200,
    plan50Met: plan50.p99Us < 1000,
    roundsUnderTarget: {
      tom: tom.roundsP99Us.filter((p) => p < 200).length,
      codef: codef.roundsP99Us.filter((p) => p < 200).length,
      plan50: plan50.roundsP99Us.filter((p) => p < 1000).length,
      of: ROUNDS,
    },
  },
  modelMode: {
    note: "Calls counted at the local OpenAI-compatible test server (scripted replies, no model); tokens are the server's estimate (about 4 characters a token) as reported in the verdicts.",
    tomPerAnswer: tomModel,
    codefPerAnswer: codefModel,
    planJudge5Steps: judge5,
    planJudge50Steps: judge50,
    planLayered5Steps: layered5,
  },
};
const path = writeResult("guards", result);
console.log(JSON.stringify(result, null, 2));
console.log(`wrote ${path}`);
