/**
 * Renders the tables of bench/README.md from bench/results/*.json (between the results markers),
 * so the README never disagrees with the committed results.
 * Usage: node --import tsx bench/report.ts
 */
import { existsSync, readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { BENCH_DIR } from "./lib/results.js";

type Json = Record<string, unknown>;
const read = (name: string): Json | null => {
  const p = join(BENCH_DIR, "results", `${name}.json`);
  return existsSync(p) ? (JSON.parse(readFileSync(p, "utf8")) as Json) : null;
};
const f = (x: unknown, d = 2) => (typeof x === "number" ? x.toFixed(d) : "—");
const table = (head: string[], rows: unknown[][]) =>
  [
    `| ${head.join(" | ")} |`,
    `| ${head.map(() => "---").join(" | ")} |`,
    ...rows.map((r) => `| ${r.join(" | ")} |`),
  ].join("\n");
const machineLine = (m: Json | undefined) =>
  m
    ? `Machine: ${m["cpu"]}, ${m["nproc"]} cores, ${m["memGiB"]} GiB, Node ${m["node"]}, commit ${m["commit"]}.`
    : "";

const out: string[] = [];

const detail = read("overhead-detail");
if (detail) {
  const vs = detail["variants"] as Json[];
  out.push("### Orchestration overhead (`bench/overhead`)\n");
  out.push(`${machineLine(detail["machine"] as Json)} Command: \`${detail["command"]}\`.`);
  out.push(
    `${detail["rounds"]} interleaved rounds × ${detail["runsPerRoundPerVariant"]} runs per variant, each variant in its own process after ${detail["warmupPerProcess"]} warm-up runs; mean load average during the runs: ${f(vs.reduce((s, v) => s + (v["loadAverage"] as number), 0) / vs.length, 1)} on ${(detail["machine"] as Json)["nproc"]} cores. Wall time is what \`overhead.json\` holds; CPU time (user+system of the process) is less disturbed by other processes on a shared machine.\n`,
  );
  out.push(
    table(
      [
        "variant",
        "model calls / run",
        "wall mean ms",
        "wall p50 ms",
        "wall p99 ms",
        "µs / step (wall)",
        "CPU ms / run",
        "µs / step (CPU)",
        "× stategraph per run (CPU)",
        "× stategraph per step (CPU)",
        "× openai-agents per step (wall / CPU)",
        "heap KB / 1000 runs",
      ],
      vs.map((v) => {
        const w = v["wall"] as Json;
        const c = v["cpu"] as Json;
        return [
          `\`${v["name"]}\``,
          v["modelCallsPerRun"],
          f(w["meanMs"]),
          f(w["p50Ms"]),
          f(w["p99Ms"]),
          f(v["usPerStepWall"], 0),
          f(c["meanMs"]),
          f(v["usPerStepCpu"], 0),
          f((v["perRunRatioToStategraph"] as Json)["cpu"]),
          f((v["perStepRatioToStategraph"] as Json)["cpu"]),
          v["perStepRatioToOpenaiAgents"]
            ? `${f((v["perStepRatioToOpenaiAgents"] as Json)["wall"])} / ${f((v["perStepRatioToOpenaiAgents"] as Json)["cpu"])}`
            : "—",
          f(v["heapGrowthKbPer1000"], 0),
        ];
      }),
    ),
  );
  out.push("");
}

const load = read("load");
if (load) {
  const h = load["heapMiB"] as Json;
  const l = load["latencyMs"] as Json;
  out.push("### Load: 1,000 concurrent team runs (`bench/load`, issue 7.7)\n");
  out.push(
    `${machineLine(load["machine"] as Json)} Command: \`${load["command"]}\`. Load average ${load["loadAverage"]}.\n`,
  );
  out.push(
    table(
      ["measure", "value"],
      [
        ["runs started at once (× rounds)", `${load["runs"]} × ${load["rounds"]}`],
        ["guards", load["guards"]],
        ["errors / unfinished runs", `${load["errors"]} / ${load["unfinished"]}`],
        [
          "cross-run leaks (foreign runId, foreign task token in content, foreign parent)",
          load["crossRunLeaks"],
        ],
        ["items per run", load["itemsPerRun"]],
        ["wall per round (ms)", (load["totalMsPerRound"] as number[]).map((x) => f(x, 0)).join(", ")],
        ["throughput (runs/s)", f(load["runsPerSecond"], 1)],
        ["latency p50 / p99 (ms, every run starts at t=0)", `${f(l["p50"], 0)} / ${f(l["p99"], 0)}`],
        ["heap baseline (MiB)", f(h["baseline"])],
        ["heap peak, round 1 / round 2 (MiB)", `${f(h["peakRound1"])} / ${f(h["peakRound2"])}`],
        ["heap after round 1, checkpoints still held (MiB)", f(h["afterRound1CheckpointsKept"])],
        ["in-memory checkpoints per finished run (KiB)", f(load["checkpointKbPerRun"], 1)],
        [
          "heap after round 1 / round 2, released (MiB)",
          `${f(h["afterRound1Released"])} / ${f(h["afterRound2Released"])}`,
        ],
        ["growth, first round (KiB, one-time)", f(load["firstRoundGrowthKb"], 0)],
        ["growth, second round (KiB)", f(load["secondRoundGrowthKb"], 0)],
        ["returned to baseline", load["returnedToBaseline"] ? "yes" : "no"],
      ],
    ),
  );
  out.push("");
}

const guards = read("guards");
if (guards) {
  const s = guards["symbolic"] as Record<string, Json>;
  const m = guards["modelMode"] as Record<string, Json>;
  out.push("### Guard cost (`bench/guards`)\n");
  out.push(
    `${machineLine(guards["machine"] as Json)} Command: \`${guards["command"]}\`. Load average ${guards["loadAverage"]}. Ledger: ${guards["ledgerItems"]} items, ${guards["ledgerEvents"]} events; the asker has been handed ${guards["askerHolds"]} of them.\n`,
  );
  const guardRow = (k: string, label: string, target: string) => [
    label,
    f(s[k]?.["coldMs"]),
    f(s[k]?.["p50Us"], 1),
    f(s[k]?.["p99Us"], 1),
    ((s[k]?.["roundsP99Us"] as number[] | undefined) ?? []).map((x) => f(x, 0)).join(", ") || "—",
    f(s[k]?.["meanUs"], 1),
    s[k]?.["decision"],
    target,
  ];
  const warmRow = (k: string, label: string) => {
    const w = s[k]?.["warmup"] as Json;
    return [
      `${label}, first ${w["checks"]} checks (JIT warm-up)`,
      "—",
      f(w["p50Us"], 1),
      f(w["p99Us"], 1),
      "—",
      f(w["meanUs"], 1),
      s[k]?.["decision"],
      "—",
    ];
  };
  const rows: Array<[string, string, string]> = [
    ["tom", "ToM, 10k-item ledger", "200 µs"],
    ["codef", "CoDef (3 voters), 10k-item ledger", "200 µs"],
    ["leakDetector", "leak detector, per message (3 protected items)", "—"],
    ["plan5", "plan guard (rules), 5-step plan", "—"],
    ["plan50", "plan guard (rules), 50-step plan", "1000 µs"],
  ];
  out.push(
    table(
      [
        "guard (symbolic)",
        "first call ms",
        "p50 µs",
        "p99 µs",
        "p99 of each round µs",
        "mean µs",
        "decision",
        "target p99",
      ],
      [
        ...rows.map(([k, label, target]) => guardRow(k, label, target)),
        ...rows
          .filter(([k]) => s[k]?.["warmup"])
          .map(([k, label]) => warmRow(k, label.replace(/ \(.*?\)|, 10k-item ledger|, per message.*$/g, ""))),
      ],
    ),
  );
  out.push("");
  out.push(
    "Steady-state figures are the round with the median p99 of five rounds (2,000 checks each; 500 for the 50-step plan), after the warm-up rows' checks.\n",
  );
  out.push("");
  out.push(
    table(
      [
        "model-mode guard (test server)",
        "checks",
        "model calls / check",
        "tokens / check (server estimate)",
        "decisions",
      ],
      Object.entries(m)
        .filter(([, v]) => typeof v === "object")
        .map(([k, v]) => [
          k,
          v["checks"],
          v["modelCallsPerCheck"],
          v["tokensPerCheck"] ?? "0",
          JSON.stringify(v["decisions"]),
        ]),
    ),
  );
  out.push("");
}

const ckpt = read("checkpoint");
if (ckpt) {
  out.push("### Checkpoint cost (`bench/checkpoint`)\n");
  out.push(
    `${machineLine(ckpt["machine"] as Json)} Command: \`${ckpt["command"]}\`. Load average ${ckpt["loadAverage"]}.\n`,
  );
  out.push(
    table(
      [
        "store",
        "plan steps",
        "checkpoints",
        "items",
        "stored KiB",
        "stored bytes / step",
        "file KiB",
        "ms / run (to the crash)",
        "ms / superstep",
        "load state ms",
        "resume after crash ms (p50)",
        "log JSON.parse ms",
      ],
      (ckpt["rows"] as Json[]).map((r) => [
        r["store"],
        r["planSteps"],
        r["checkpoints"],
        r["itemsPerRun"],
        f(r["storedKiB"], 0),
        r["storedBytesPerStep"],
        r["fileKiB"] === undefined ? "—" : f(r["fileKiB"], 0),
        f((r["msPerRunToCrash"] as Json)["mean"], 1),
        f(r["msPerSuperstep"], 2),
        f((r["loadStateMs"] as Json)["mean"], 1),
        f((r["resumeAfterCrashMs"] as Json)["p50"], 1),
        r["logJsonParseMs"] === undefined ? "—" : f((r["logJsonParseMs"] as Json)["p50"], 1),
      ]),
    ),
  );
  const ratios = ckpt["ratiosLongestToShortest"] as Record<string, Json> | undefined;
  if (ratios) {
    const parts = Object.entries(ratios).map(
      ([store, r]) =>
        `${store}: stored bytes per step ×${r["storedBytesPerStep"]}, resume ×${r["resumeAfterCrashP50"]}${r["resumeAfterCrashP50MinusLogParse"] === undefined ? "" : ` (×${r["resumeAfterCrashP50MinusLogParse"]} without the log's JSON.parse)`}`,
    );
    out.push(`\nLongest run against shortest, same run: ${parts.join("; ")}.`);
  }
  if (typeof ckpt["note"] === "string") out.push(`\n${ckpt["note"]}`);
  out.push("");
}

const trace = read("trace-scale");
if (trace) {
  out.push("### Tracer scale (`bench/trace-scale`)\n");
  out.push(`${machineLine(trace["machine"] as Json)} Command: \`${trace["command"]}\`.\n`);
  const rows = (trace["rows"] as Json[]).map((r) => [
    r["source"],
    r["size"],
    r["edges"],
    f(r["buildMs"], 0),
    f(r["rootCauseMs"], 0),
    f(r["totalMs"], 0),
    r["buildCpuMs"] === undefined ? "—" : f((r["buildCpuMs"] as number) + (r["rootCauseCpuMs"] as number), 0),
    f(r["tracerPeakHeapMiB"], 0),
    f(r["rssAboveInputMiB"], 0),
    f(r["peakRssMiB"], 0),
    r["plantedFound"] === true ? "yes" : "no",
  ]);
  for (const x of (trace["failures"] as Json[] | undefined) ?? [])
    rows.push([x["source"], x["size"], "—", "failed", `\`${x["error"]}\``, "—", "—", "—", "—", "—", "—"]);
  out.push(
    table(
      [
        "source",
        "items",
        "edges",
        "build ms",
        "root cause ms",
        "total ms",
        "CPU ms",
        "tracer heap MiB",
        "RSS above input MiB",
        "peak RSS MiB",
        "planted cause first",
      ],
      rows,
    ),
  );
  out.push("");
  const g = trace["growthPer10x"] as Record<string, Json[]>;
  const growth = Object.entries(g).flatMap(([src, list]) =>
    list.map((x) => `${src} ${x["from"]}→${x["to"]}: time ×${x["timeFactor"]}, memory ×${x["memoryFactor"]}`),
  );
  out.push(`Growth: ${growth.join("; ")}.\n`);
  const million = trace["millionItems"] as Json | null;
  const repeats = (million?.["repeatsTotalMs"] as number[] | undefined) ?? [];
  if (million && repeats.length > 1)
    out.push(
      `The 1M-item run row is the median of ${repeats.length} runs, each in a fresh process; their totals: ${repeats.map((t) => f(t, 0)).join(", ")} ms (${million["repeatsUnderThreeSeconds"]} of ${repeats.length} under 3 s).\n`,
    );
}

const readme = join(BENCH_DIR, "README.md");
const text = readFileSync(readme, "utf8");
const start = "<!-- results:start -->";
const end = "<!-- results:end -->";
const a = text.indexOf(start);
const b = text.indexOf(end);
if (a < 0 || b < a) throw new Error("bench/README.md has no results markers");
writeFileSync(readme, `${text.slice(0, a + start.length)}\n\n${out.join("\n")}\n${text.slice(b)}`);
console.log(`updated ${readme}`);
