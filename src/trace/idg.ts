import type { Item } from "../core/index.js";
import { IdIndex } from "./id-index.js";
import { extractTokens, type Token } from "./tokens.js";
import {
  EDGE_KINDS,
  type EdgeKind,
  type Idg,
  type IdgAdjacency,
  type IdgEdge,
  type IdgNode,
  type NodeRole,
  type TraceInput,
} from "./types.js";

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
 * tokens rather than quadratic in the number of items. The graph is held as index arrays: a run
 * of a million items costs a few arrays, not millions of edge objects.
 */
export function buildIdg(input: Pick<TraceInput, "items" | "source">, options: BuildIdgOptions = {}): Idg {
  const infer = options.infer ?? input.source === "imported";
  const minConfidence = options.minConfidence ?? 0.05;
  const count = input.items.length;
  const nodes: IdgNode[] = new Array(count);
  for (let index = 0; index < count; index++) {
    const item = input.items[index] as Item;
    nodes[index] = {
      id: item.id,
      index,
      step: item.step,
      agent: item.author,
      role: nodeRole(item),
      item,
      text: itemText(item),
    };
  }
  const byId = new IdIndex(nodes);
  let exact = 0;
  for (const item of input.items) exact += item.derivedFrom.length;
  const edges = new EdgeList(exact);
  for (let to = 0; to < count; to++) {
    for (const parent of (nodes[to] as IdgNode).item.derivedFrom) {
      const from = byId.getNear(parent, to);
      if (from !== -1) edges.add(from, to, DERIVED, 1, undefined);
    }
  }
  if (infer) inferEdges(nodes, minConfidence, edges);
  return new IndexedIdg(input.source, nodes, byId, edges);
}

const DERIVED = EDGE_KINDS.indexOf("derived");

/**
 * Edges as parallel typed columns while the graph is built (no object per edge, nothing for the
 * garbage collector to trace), grown by doubling. Confidences are kept in thousandths, the
 * precision they are rounded to, so a million edges take 19 MB rather than 34: memory outside the
 * JavaScript heap counts too, and past 64 MB of it V8 starts a full collection of the whole heap.
 */
class EdgeList {
  length = 0;
  from: Int32Array;
  to: Int32Array;
  kind: Uint8Array;
  confidenceMilli: Uint16Array;
  evidence = new Map<number, string[]>();
  constructor(capacity: number) {
    const c = Math.max(16, capacity);
    this.from = new Int32Array(c);
    this.to = new Int32Array(c);
    this.kind = new Uint8Array(c);
    this.confidenceMilli = new Uint16Array(c);
  }
  add(from: number, to: number, kind: number, confidence: number, evidence: string[] | undefined): void {
    if (this.length === this.from.length) this.grow();
    const e = this.length++;
    if (evidence && evidence.length > 0) this.evidence.set(e, evidence);
    this.from[e] = from;
    this.to[e] = to;
    this.kind[e] = kind;
    this.confidenceMilli[e] = Math.round(confidence * 1000);
  }
  private grow(): void {
    const c = this.from.length * 2;
    const widen = <T extends Int32Array | Uint8Array | Uint16Array>(a: T, make: (n: number) => T): T => {
      const b = make(c);
      b.set(a);
      return b;
    };
    this.from = widen(this.from, (n) => new Int32Array(n));
    this.to = widen(this.to, (n) => new Int32Array(n));
    this.kind = widen(this.kind, (n) => new Uint8Array(n));
    this.confidenceMilli = widen(this.confidenceMilli, (n) => new Uint16Array(n));
  }
}

class IndexedIdg implements Idg {
  readonly adjacency: IdgAdjacency;
  readonly edgeCount: number;
  private readonly edgeKind: Uint8Array;
  private readonly made: Array<IdgEdge | undefined>;
  private all: IdgEdge[] | undefined;

  constructor(
    readonly source: "run" | "imported",
    readonly nodes: IdgNode[],
    private readonly byId: IdIndex,
    list: EdgeList,
  ) {
    const n = nodes.length;
    const m = list.length;
    const edgeFrom = list.from.subarray(0, m);
    const edgeTo = list.to.subarray(0, m);
    const parents = groupBy(n, edgeTo);
    const children = groupBy(n, edgeFrom);
    this.edgeCount = m;
    this.edgeKind = list.kind.subarray(0, m);
    this.made = new Array(m);
    this.adjacency = {
      parentStart: parents.start,
      parentEdges: parents.members,
      childStart: children.start,
      childEdges: children.members,
      edgeFrom,
      edgeTo,
      edgeConfidenceMilli: list.confidenceMilli.subarray(0, m),
      edgeEvidence: list.evidence,
    };
  }

  get edges(): IdgEdge[] {
    if (!this.all) {
      const all: IdgEdge[] = new Array(this.edgeCount);
      for (let e = 0; e < this.edgeCount; e++) all[e] = this.edge(e);
      this.all = all;
    }
    return this.all;
  }

  node(id: string): IdgNode | undefined {
    const i = this.byId.get(id);
    return i === -1 ? undefined : this.nodes[i];
  }

  indexOf(id: string): number {
    return this.byId.get(id);
  }

  parents(id: string): IdgEdge[] {
    const i = this.byId.get(id);
    const a = this.adjacency;
    return i === -1 ? [] : this.slice(a.parentStart, a.parentEdges, i);
  }

  children(id: string): IdgEdge[] {
    const i = this.byId.get(id);
    const a = this.adjacency;
    return i === -1 ? [] : this.slice(a.childStart, a.childEdges, i);
  }

  private slice(start: Int32Array, members: Int32Array, i: number): IdgEdge[] {
    const out: IdgEdge[] = [];
    for (let k = start[i] as number; k < (start[i + 1] as number); k++)
      out.push(this.edge(members[k] as number));
    return out;
  }

  /** One edge as an object, made once. */
  private edge(e: number): IdgEdge {
    let made = this.made[e];
    if (!made) {
      const a = this.adjacency;
      made = {
        from: (this.nodes[a.edgeFrom[e] as number] as IdgNode).id,
        to: (this.nodes[a.edgeTo[e] as number] as IdgNode).id,
        kind: EDGE_KINDS[this.edgeKind[e] as number] as EdgeKind,
        confidence: (a.edgeConfidenceMilli[e] as number) / 1000,
        evidence: a.edgeEvidence.get(e) ?? [],
      };
      this.made[e] = made;
    }
    return made;
  }
}

/**
 * Counting sort of edge numbers by node: members of node i are members[start[i] .. start[i+1]), in
 * edge order. Done in place (no cursor array), to keep memory outside the heap down.
 */
function groupBy(n: number, key: Int32Array): { start: Int32Array; members: Int32Array } {
  const start = new Int32Array(n + 1);
  for (let e = 0; e < key.length; e++)
    start[(key[e] as number) + 1] = (start[(key[e] as number) + 1] as number) + 1;
  for (let i = 0; i < n; i++) start[i + 1] = (start[i + 1] as number) + (start[i] as number);
  // start[k] serves as node k's cursor and ends at the beginning of node k + 1; one shift restores it.
  const members = new Int32Array(key.length);
  for (let e = 0; e < key.length; e++) {
    const k = key[e] as number;
    members[start[k] as number] = e;
    start[k] = (start[k] as number) + 1;
  }
  for (let i = n; i > 0; i--) start[i] = start[i - 1] as number;
  start[0] = 0;
  return { start, members };
}

function inferEdges(nodes: ReadonlyArray<IdgNode>, minConfidence: number, edges: EdgeList): void {
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
  const agg = new Map<string, { from: number; to: number; kind: number; evidence: string[]; miss: number }>();
  const link = (from: number, to: number, t: Token, c: number): void => {
    if (!nodes[from] || !nodes[to]) return;
    const key = `${from}\u0000${to}\u0000${t.kind}`;
    const e = agg.get(key);
    if (e) {
      e.miss *= 1 - c;
      if (e.evidence.length < 3 && !e.evidence.includes(t.raw)) e.evidence.push(t.raw);
    } else {
      agg.set(key, { from, to, kind: EDGE_KINDS.indexOf(t.kind), evidence: [t.raw], miss: 1 - c });
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
  for (const e of agg.values()) {
    const confidence = Math.min(0.99, 1 - e.miss);
    if (confidence >= minConfidence) edges.add(e.from, e.to, e.kind, round(confidence), e.evidence);
  }
}

function round(x: number): number {
  return Math.round(x * 1000) / 1000;
}

/** Every node upstream of `id` (through any edge), nearest first. */
export function upstream(idg: Idg, id: string): Set<string> {
  const seen = new Set<string>();
  const start = idg.indexOf(id);
  if (start < 0) return seen;
  for (const i of upstreamOrder(idg, start).order) seen.add((idg.nodes[i] as IdgNode).id);
  return seen;
}

/**
 * Breadth-first search from node `target` against the edges: `order` lists every node upstream of
 * it, nearest first (not the target itself), and `dist[i]` is the number of edges on the shortest
 * path from node `i` down to the target (0 for the target, -1 when there is none).
 */
export function upstreamOrder(idg: Idg, target: number): { order: Int32Array; dist: Int32Array } {
  const a = idg.adjacency;
  const n = idg.nodes.length;
  const dist = new Int32Array(n).fill(-1);
  const queue = new Int32Array(n);
  let tail = 0;
  queue[tail++] = target;
  dist[target] = 0;
  for (let head = 0; head < tail; head++) {
    const cur = queue[head] as number;
    const d = (dist[cur] as number) + 1;
    for (let k = a.parentStart[cur] as number; k < (a.parentStart[cur + 1] as number); k++) {
      const p = a.edgeFrom[a.parentEdges[k] as number] as number;
      if (dist[p] !== -1) continue;
      dist[p] = d;
      queue[tail++] = p;
    }
  }
  return { order: queue.slice(1, tail), dist };
}
