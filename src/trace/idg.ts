import type { Item } from "../core/index.js";
import { extractTokens, type Token } from "./tokens.js";
import type { EdgeKind, Idg, IdgEdge, IdgNode, NodeRole, TraceInput } from "./types.js";

export interface BuildIdgOptions {
  /**
   * Infer edges from reused values. Defaults to true for imported logs and false for our own runs,
   * whose `derivedFrom` record is exact.
   */
  infer?: boolean;
  /** Edges weaker than this are dropped (default 0.05). */
  minConfidence?: number;
}

/** Plain text of an item's content, for matching and display. */
export function itemText(item: Item): string {
  const c = item.content;
  if (typeof c === "string") return c;
  if (c === undefined || c === null) return "";
  try {
    return JSON.stringify(c);
  } catch {
    return String(c);
  }
}

export function nodeRole(item: Item): NodeRole {
  if (item.kind === "task") return "task";
  if (item.kind === "tool_result" || item.author.startsWith("tool:")) return "tool";
  if (item.kind === "verdict" || item.author.startsWith("guard:")) return "verdict";
  return "agent";
}

/**
 * Builds the Information Dependency Graph of a run. Exact edges come from `derivedFrom`; inferred
 * edges link each reused value to where it first appeared and to where it was last seen, found
 * through an inverted index (token -> first/last node), so the cost is linear in the number of
 * tokens rather than quadratic in the number of items.
 */
export function buildIdg(input: Pick<TraceInput, "items" | "source">, options: BuildIdgOptions = {}): Idg {
  const infer = options.infer ?? input.source === "imported";
  const minConfidence = options.minConfidence ?? 0.05;
  const nodes: IdgNode[] = input.items.map((item, index) => ({
    id: item.id,
    index,
    step: item.step,
    agent: item.author,
    role: nodeRole(item),
    item,
    text: itemText(item),
  }));
  const byId = new Map(nodes.map((n) => [n.id, n]));
  const edges: IdgEdge[] = [];

  for (const node of nodes) {
    for (const parent of node.item.derivedFrom) {
      if (byId.has(parent))
        edges.push({ from: parent, to: node.id, kind: "derived", confidence: 1, evidence: [] });
    }
  }

  // A loop, not a spread: a large imported log has more inferred edges than a call has arguments.
  if (infer) for (const e of inferEdges(nodes, minConfidence)) edges.push(e);

  const parents = new Map<string, IdgEdge[]>();
  const children = new Map<string, IdgEdge[]>();
  for (const e of edges) {
    push(parents, e.to, e);
    push(children, e.from, e);
  }
  return {
    source: input.source,
    nodes,
    edges,
    node: (id) => byId.get(id),
    parents: (id) => parents.get(id) ?? [],
    children: (id) => children.get(id) ?? [],
  };
}

function inferEdges(nodes: ReadonlyArray<IdgNode>, minConfidence: number): IdgEdge[] {
  // Agent names are mentioned all the time ("next speaker: X"); they carry no information flow.
  const ignore = new Set<string>();
  for (const n of nodes) {
    ignore.add(n.agent.toLowerCase());
    ignore.add(n.agent);
    ignore.add(n.agent.toLowerCase().replace(/_/g, " "));
  }
  const perNode: Token[][] = nodes.map((n) => extractTokens(n.text, ignore));
  // Document frequency first: a value found in every message says little about any one link.
  const df = new Map<string, number>();
  for (const tokens of perNode) for (const t of tokens) df.set(t.key, (df.get(t.key) ?? 0) + 1);

  const first = new Map<string, number>();
  const last = new Map<string, number>();
  // (from, to, kind) -> aggregated edge; noisy-or over the tokens that support it.
  const agg = new Map<string, IdgEdge & { miss: number }>();
  const link = (from: number, to: number, t: Token, c: number): void => {
    const src = nodes[from];
    const dst = nodes[to];
    if (!src || !dst) return;
    const key = `${from}\u0000${to}\u0000${t.kind}`;
    const e = agg.get(key);
    if (e) {
      e.miss *= 1 - c;
      if (e.evidence.length < 3 && !e.evidence.includes(t.raw)) e.evidence.push(t.raw);
    } else {
      agg.set(key, {
        from: src.id,
        to: dst.id,
        kind: t.kind as EdgeKind,
        confidence: 0,
        evidence: [t.raw],
        miss: 1 - c,
      });
    }
  };
  perNode.forEach((tokens, j) => {
    for (const t of tokens) {
      const n = df.get(t.key) ?? 1;
      const c = t.weight / (1 + Math.log(n));
      const f = first.get(t.key);
      if (f !== undefined) {
        link(f, j, t, c);
        const l = last.get(t.key);
        if (l !== undefined && l !== f) link(l, j, t, c);
      } else {
        first.set(t.key, j);
      }
      last.set(t.key, j);
    }
  });
  const out: IdgEdge[] = [];
  for (const e of agg.values()) {
    const confidence = Math.min(0.99, 1 - e.miss);
    if (confidence >= minConfidence)
      out.push({ from: e.from, to: e.to, kind: e.kind, confidence: round(confidence), evidence: e.evidence });
  }
  return out;
}

function push<K, V>(map: Map<K, V[]>, key: K, value: V): void {
  const list = map.get(key);
  if (list) list.push(value);
  else map.set(key, [value]);
}

function round(x: number): number {
  return Math.round(x * 1000) / 1000;
}

/** Every node upstream of `id` (through any edge), nearest first. */
export function upstream(idg: Idg, id: string): Set<string> {
  const seen = new Set<string>();
  const queue = [id];
  for (let head = 0; head < queue.length; head++) {
    const cur = queue[head] as string;
    for (const e of idg.parents(cur)) {
      if (!seen.has(e.from) && e.from !== id) {
        seen.add(e.from);
        queue.push(e.from);
      }
    }
  }
  return seen;
}
