import type { Item, RunEvent } from "../../src/core/index.js";
import type { TraceInput } from "../../src/trace/index.js";

const AGENTS = ["planner", "alpha", "beta", "gamma", "verifier", "supervisor"] as const;
const DOC = "https://example.org/doc/";
const KINDS = ["message", "tool_call", "tool_result", "step_output", "answer"] as const;

function rng(seed: number): () => number {
  let s = seed >>> 0;
  return () => {
    s = (s * 1664525 + 1013904223) >>> 0;
    return s / 2 ** 32;
  };
}

/**
 * A synthetic failed run of `size` items. `run`: our own format, every item with exact
 * `derivedFrom` (1-3 recent parents, sometimes a far one). `imported`: the same texts with no
 * provenance, so the tracer has to infer edges from reused values (numbers, URLs, identifiers).
 * One early agent output carries a wrong figure that later items repeat: the planted root cause
 * (always an agent's item: a tool result is evidence, and the tracer blames the agent that ran it).
 */
export function generateRun(size: number, source: "run" | "imported", seed = 11): TraceInput {
  const r = rng(seed);
  const items: Item[] = [];
  const events: RunEvent[] = [];
  const planted = Math.floor(size * 0.1);
  for (let i = 0; i < size; i++) {
    const step = 1 + Math.floor(i / 8);
    const author = i === 0 ? "user" : (AGENTS[Math.floor(r() * AGENTS.length)] as string);
    const drawn = i === 0 ? "task" : (KINDS[Math.floor(r() * KINDS.length)] as Item["kind"]);
    const kind = i === planted ? "step_output" : drawn;
    const parents: string[] = [];
    if (i > 0) {
      const k = 1 + Math.floor(r() * 3);
      for (let j = 0; j < k; j++) parents.push(`i${Math.max(0, i - 1 - Math.floor(r() * 12))}`);
      if (r() < 0.05) parents.push(`i${Math.floor(r() * i)}`);
      if (i > planted && r() < 0.02) parents.push(`i${planted}`);
    }
    const figure = i === planted ? "revenue 9,999,999 USD" : `value ${(i * 7919) % 100_003}`;
    const cited = i > planted && parents.includes(`i${planted}`) ? " citing revenue 9,999,999 USD" : "";
    // Joined, not concatenated: a run read from a file or the run store holds flat strings (JSON
    // parsing makes them), while `+` or a template would leave rope strings that the tracer's first
    // pattern test would flatten, charging it the copy.
    const content =
      i === 0
        ? "Report the vendor's yearly revenue"
        : [kind, i, "by", `${author}:`, figure, "see", `${DOC}${i % 997}${cited}`].join(" ");
    items.push({
      id: `i${i}`,
      runId: "scale",
      step,
      author,
      kind,
      content,
      audience: ["*"],
      sensitivity: "internal",
      labels: i === planted ? ["error"] : [],
      derivedFrom: source === "run" ? [...new Set(parents)] : [],
    });
    events.push({ type: "item", seq: events.length, runId: "scale", step, itemId: `i${i}` });
  }
  const final = items[items.length - 1] as Item;
  return {
    source,
    origin: `generated-${size}`,
    task: "Report the vendor's yearly revenue",
    items,
    events,
    finalAnswer: `revenue 9,999,999 USD (${final.id})`,
    status: "failed",
    reason: "final answer rejected",
    groundTruth: "revenue 1,250,000 USD",
  };
}
