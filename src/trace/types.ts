import type { Item, RunEvent } from "../core/index.js";

/**
 * How an edge was established. `derived` comes from the run's own provenance record (exact);
 * the others are inferred from text reuse in imported logs.
 */
export const EDGE_KINDS = ["derived", "url", "file", "quote", "number", "identifier", "entity"] as const;
export type EdgeKind = (typeof EDGE_KINDS)[number];
export type InferredEdgeKind = Exclude<EdgeKind, "derived">;

/** What part a node plays: tool output and the task are evidence, never the agent's decision. */
export type NodeRole = "task" | "agent" | "tool" | "verdict";

export interface IdgNode {
  id: string;
  /** Position in the run (0-based); for imported logs this is the history index. */
  index: number;
  step: number;
  agent: string;
  role: NodeRole;
  item: Item;
  /** The content as plain text, for matching and display. */
  text: string;
}

export interface IdgEdge {
  /** Upstream item (the source of the information). */
  from: string;
  /** Downstream item (built from `from`). */
  to: string;
  kind: EdgeKind;
  /** 1 for exact edges; (0,1) for inferred ones. */
  confidence: number;
  /** A few of the shared tokens that justify an inferred edge. */
  evidence: string[];
}

export interface Idg {
  /** `run` when edges are the exact `derivedFrom` record; `imported` when they are inferred. */
  source: "run" | "imported";
  nodes: IdgNode[];
  /** Every edge, in build order (materialised on first use: large graphs keep only the arrays). */
  readonly edges: IdgEdge[];
  readonly edgeCount: number;
  node(id: string): IdgNode | undefined;
  /** Position of the node in `nodes`, or -1. */
  indexOf(id: string): number;
  /** Edges into the node (its sources). */
  parents(id: string): IdgEdge[];
  /** Edges out of the node (what was built from it). */
  children(id: string): IdgEdge[];
  /** The same graph as index arrays, for searches over large runs without per-edge objects. */
  readonly adjacency: IdgAdjacency;
}

/**
 * Compressed adjacency: the edges into node `i` are `parentEdges[parentStart[i] .. parentStart[i+1])`
 * (edge numbers, in build order), likewise out of it with `child*`. Edge `e` goes from node
 * `edgeFrom[e]` to node `edgeTo[e]`.
 */
export interface IdgAdjacency {
  parentStart: Int32Array;
  parentEdges: Int32Array;
  childStart: Int32Array;
  childEdges: Int32Array;
  edgeFrom: Int32Array;
  edgeTo: Int32Array;
  /** Edge confidence in thousandths (1000 for exact edges): the precision confidences are rounded to. */
  edgeConfidenceMilli: Uint16Array;
  /** Edges that carry evidence (inferred edges); exact edges have none. */
  edgeEvidence: ReadonlyMap<number, string[]>;
}

/** A failed run, ready to trace: items in order plus what is known about the outcome. */
export interface TraceInput {
  source: "run" | "imported";
  /** Where it came from, for messages (a file path or a label). */
  origin: string;
  task: string;
  items: Item[];
  events: RunEvent[];
  /** The run's final answer, when it has one. */
  finalAnswer: string | null;
  /** Run status for our own runs (`failed`, `blocked`, ...). */
  status?: string;
  reason?: string;
  /** The correct answer when known (Who&When carries one; users can pass `--ground-truth`). */
  groundTruth?: string;
  /** Labels of an annotated benchmark record, for evaluation only; the tracer never reads them. */
  labels?: { mistakeAgent: string; mistakeStep: number; mistakeReason?: string };
  /** Who&When split, detected from the record shape. */
  split?: "algorithm-generated" | "hand-crafted";
}
