import { type Item, isPrivate, REDACTED, redactItem, scrubValues } from "../core/index.js";
import { itemText } from "./idg.js";
import type { RootCauseReport } from "./rootcause.js";
import { negativeVerdict } from "./signals.js";
import type { EdgeKind, Idg, NodeRole } from "./types.js";

export const TRACE_FORMAT = "quorum.trace";
export const TRACE_VERSION = 1;

export interface ViewNode {
  id: string;
  index: number;
  step: number;
  agent: string;
  role: NodeRole;
  kind: Item["kind"];
  sensitivity: Item["sensitivity"];
  content: string;
  redacted: boolean;
  /** Verdicts recorded about this item (guards, verifiers). */
  verdicts: Array<{ by: string; decision: string; rationale: string }>;
  mark: "root" | "chain" | "symptom" | "candidate" | null;
}

export interface ViewEdge {
  from: string;
  to: string;
  kind: EdgeKind;
  confidence: number;
  evidence: string[];
  onChain: boolean;
}

/** Everything an exporter shows, already redacted: exporters only format it. */
export interface TraceView {
  format: typeof TRACE_FORMAT;
  version: typeof TRACE_VERSION;
  origin: string;
  task: string;
  source: "run" | "imported";
  edgesInferred: boolean;
  includesPrivate: boolean;
  nodes: ViewNode[];
  edges: ViewEdge[];
  report: RootCauseReport;
}

export interface ViewOptions {
  /** Keep private and sensitive content (the user opted in with --include-private). */
  includePrivate?: boolean;
  origin?: string;
  task?: string;
}

/**
 * Builds the exportable view of a trace. Private and sensitive items lose their content, and
 * their values are scrubbed wherever else they surface (other items quoting them, edge evidence,
 * reasons), unless the user opted in.
 */
export function buildView(idg: Idg, report: RootCauseReport, options: ViewOptions = {}): TraceView {
  const includePrivate = options.includePrivate ?? false;
  const root = report.rootCause;
  const chain = new Set(root?.chain ?? []);
  const chainPairs = new Set<string>();
  if (root)
    for (let i = 0; i + 1 < root.chain.length; i++) chainPairs.add(`${root.chain[i]}>${root.chain[i + 1]}`);
  const symptoms = new Set(report.symptoms.map((s) => s.itemId));
  const candidates = new Set(report.candidates.map((c) => c.itemId));

  const verdicts = new Map<string, ViewNode["verdicts"]>();
  for (const node of idg.nodes) {
    if (node.role !== "verdict" && node.item.kind !== "verification") continue;
    const c = node.item.content;
    const o = c !== null && typeof c === "object" ? (c as Record<string, unknown>) : {};
    const decision =
      typeof o.decision === "string"
        ? o.decision
        : typeof o.verdict === "string"
          ? o.verdict
          : negativeVerdict(node)
            ? "rejected"
            : "passed";
    const rationale =
      typeof o.rationale === "string" ? o.rationale : typeof o.reason === "string" ? o.reason : node.text;
    for (const parent of node.item.derivedFrom) {
      const list = verdicts.get(parent) ?? [];
      list.push({ by: node.agent, decision, rationale });
      verdicts.set(parent, list);
    }
  }

  const nodes: ViewNode[] = idg.nodes.map((node) => {
    const shown = redactItem(node.item, includePrivate);
    return {
      id: node.id,
      index: node.index,
      step: node.step,
      agent: node.agent,
      role: node.role,
      kind: node.item.kind,
      sensitivity: node.item.sensitivity,
      content: shown === node.item ? node.text : itemText(shown),
      redacted: shown !== node.item,
      verdicts: verdicts.get(node.id) ?? [],
      mark:
        root?.itemId === node.id
          ? "root"
          : symptoms.has(node.id)
            ? "symptom"
            : chain.has(node.id)
              ? "chain"
              : candidates.has(node.id)
                ? "candidate"
                : null,
    };
  });
  const edges: ViewEdge[] = idg.edges.map((e) => ({
    from: e.from,
    to: e.to,
    kind: e.kind,
    confidence: e.confidence,
    evidence: [...e.evidence],
    onChain: chainPairs.has(`${e.from}>${e.to}`),
  }));
  const view: TraceView = {
    format: TRACE_FORMAT,
    version: TRACE_VERSION,
    origin: options.origin ?? "",
    task: options.task ?? "",
    source: idg.source,
    edgesInferred: idg.edges.some((e) => e.kind !== "derived"),
    includesPrivate: includePrivate,
    nodes,
    edges,
    report: includePrivate ? report : withoutPrivateClaims(report, idg),
  };
  return includePrivate ? view : scrubValues(view, privateValues(idg.nodes.map((n) => n.item)));
}

/** A claim quotes its item's own words: a private item's claim is left out, like its content. */
function withoutPrivateClaims(report: RootCauseReport, idg: Idg): RootCauseReport {
  const strip = <C extends { itemId: string; claim?: string }>(c: C): C => {
    const item = idg.node(c.itemId)?.item;
    if (c.claim === undefined || !item || !isPrivate(item.sensitivity)) return c;
    const { claim: _claim, ...rest } = c;
    return rest as C;
  };
  const candidates = report.candidates.map(strip);
  return { ...report, candidates, rootCause: report.rootCause ? strip(report.rootCause) : null };
}

/** The strings a private item holds: its whole text and each string leaf of structured content. */
function privateValues(items: ReadonlyArray<Item>): string[] {
  const out = new Set<string>();
  const walk = (v: unknown): void => {
    if (typeof v === "string") {
      if (v.length >= 4 && !v.startsWith(REDACTED)) out.add(v);
    } else if (typeof v === "number") {
      if (String(v).length >= 4) out.add(String(v));
    } else if (Array.isArray(v)) v.forEach(walk);
    else if (v !== null && typeof v === "object") Object.values(v).forEach(walk);
  };
  for (const item of items) if (isPrivate(item.sensitivity)) walk(item.content);
  // Longest first so a long secret is replaced whole before a shorter one inside it.
  return [...out].sort((a, b) => b.length - a.length);
}
