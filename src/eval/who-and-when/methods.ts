import { seededRandom } from "../../testing/rng.js";
import { buildIdg } from "../../trace/idg.js";
import { findRootCause, type LedgerReading } from "../../trace/rootcause.js";
import { localSignalsOf, toolErrorIn } from "../../trace/signals.js";
import type { IdgNode, TraceInput } from "../../trace/types.js";

export const METHODS = ["idg", "first-error", "last-agent", "most-active", "random", "all-at-once"] as const;
export type Method = (typeof METHODS)[number];

export interface Attribution {
  agent: string;
  step: number;
}

export interface AttributeOptions {
  withGroundTruth: boolean;
  /** How the IDG tracer reads an orchestrator's ledger (defaults when absent). */
  ledgerReading?: Partial<LedgerReading>;
  /** Seed for the random baseline (per record, so results do not depend on order). */
  seed: number;
}

/** IDG root-cause search: the most responsible agent and the decisive item's step. */
export function attributeIdg(input: TraceInput, options: AttributeOptions): Attribution {
  const idg = buildIdg(input);
  const gt = options.withGroundTruth ? input.groundTruth : undefined;
  const view: TraceInput = { ...input };
  if (gt === undefined) delete view.groundTruth;
  const report = findRootCause(view, idg, {
    ...(gt !== undefined ? { groundTruth: gt } : {}),
    ...(options.ledgerReading ? { ledgerReading: options.ledgerReading } : {}),
  });
  const top = report.rootCause;
  // Agent-level and step-level attribution are separate questions with separate rankings.
  if (top) return { agent: report.agents[0]?.agent ?? top.agent, step: top.step };
  return fallback(idg.nodes);
}

/** Temporal baseline: the first agent turn that shows an error signal in its own text or its tool run. */
export function attributeFirstError(input: TraceInput): Attribution {
  const idg = buildIdg(input, { infer: false });
  const nodes = idg.nodes;
  for (let i = 0; i < nodes.length; i++) {
    const node = nodes[i] as IdgNode;
    if (node.role === "tool" && toolErrorIn(node)) {
      const by = lastBefore(nodes, i, (x) => x.role === "agent");
      if (by) return { agent: by.agent, step: by.step };
    }
    if (node.role === "agent" && localSignalsOf(node, true).length > 0) {
      return { agent: node.agent, step: node.step };
    }
  }
  return fallback(nodes);
}

/** Temporal baseline: the last agent turn before the failure. */
export function attributeLastAgent(input: TraceInput): Attribution {
  const idg = buildIdg(input, { infer: false });
  return fallback(idg.nodes);
}

/**
 * Structural baseline: the agent with the most turns before the failure (ties: the one that spoke
 * first), at its first turn. No evidence at all, so it shows how much "who talked most" explains.
 */
export function attributeMostActive(input: TraceInput): Attribution {
  const nodes = buildIdg(input, { infer: false }).nodes.filter((n) => n.role === "agent");
  const count = new Map<string, number>();
  const first = new Map<string, IdgNode>();
  for (const n of nodes) {
    count.set(n.agent, (count.get(n.agent) ?? 0) + 1);
    if (!first.has(n.agent)) first.set(n.agent, n);
  }
  let best: IdgNode | undefined;
  for (const [agent, n] of first) {
    const b = best ? (count.get(best.agent) ?? 0) : -1;
    if ((count.get(agent) ?? 0) > b) best = n;
  }
  return best ? { agent: best.agent, step: best.step } : { agent: "", step: 0 };
}

/** Uniform over agent turns, seeded. */
export function attributeRandom(input: TraceInput, options: AttributeOptions): Attribution {
  const nodes = buildIdg(input, { infer: false }).nodes.filter((n) => n.role === "agent");
  if (nodes.length === 0) return { agent: "", step: 0 };
  const pick = nodes[Math.floor(seededRandom(options.seed)() * nodes.length)] as IdgNode;
  return { agent: pick.agent, step: pick.step };
}

function fallback(nodes: ReadonlyArray<IdgNode>): Attribution {
  const last = lastBefore(nodes, nodes.length, (x) => x.role === "agent");
  return last ? { agent: last.agent, step: last.step } : { agent: "", step: 0 };
}

function lastBefore(
  nodes: ReadonlyArray<IdgNode>,
  index: number,
  match: (n: IdgNode) => boolean,
): IdgNode | undefined {
  for (let i = index - 1; i >= 0; i--) {
    const n = nodes[i];
    if (n && match(n)) return n;
  }
  return undefined;
}

/** Stable per-record seed from its file name, so a record always gets the same random pick. */
export function seedOf(text: string, base = 0): number {
  let h = 2166136261 ^ base;
  for (let i = 0; i < text.length; i++) h = Math.imul(h ^ text.charCodeAt(i), 16777619);
  return h >>> 0;
}
