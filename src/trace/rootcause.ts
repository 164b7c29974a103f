import {
  BlameState,
  DEFAULT_LEDGER_READING,
  type LedgerReading,
  type Reason,
  type TraceContext,
} from "./blame.js";
import { upstreamOrder } from "./idg.js";
import { firstOccurrences, memoUpstream } from "./lookup.js";
import { MISSING_RE } from "./passes/dropped-values.js";
import { BLAME_PASSES } from "./passes/index.js";
import { wrongValueCandidates } from "./passes/origins.js";
import { AgentTally, chainTo, keepBest, type NotACause, notCauses } from "./ranking.js";
import { type LocalSignal, localSignalsOf, negativeVerdict } from "./signals.js";
import { answerMatches, detectSymptoms, lastAgentText, primarySymptom, type Symptom } from "./symptoms.js";
import { extractTokens } from "./tokens.js";
import type { Idg, IdgNode, TraceInput } from "./types.js";

export { DEFAULT_LEDGER_READING, type LedgerReading, type Reason } from "./blame.js";
export type { NotACause } from "./ranking.js";
export * from "./symptoms.js";

/**
 * `suspect` until a counterfactual replay re-runs from before the item with a corrected output:
 * `confirmed` if the failure goes away, `refuted` if it does not.
 */
export type CandidateStatus = "suspect" | "confirmed" | "refuted";

export interface Candidate {
  itemId: string;
  agent: string;
  step: number;
  index: number;
  score: number;
  reasons: Reason[];
  /** The claim or instruction the item is blamed for, in its own words (when one is known). */
  claim?: string;
  /** Item ids from this candidate down to the primary symptom (inclusive), following IDG edges. */
  chain: string[];
  status: CandidateStatus;
  replay?: { fixed: boolean; detail: string };
}

export interface RootCauseReport {
  source: "run" | "imported";
  /** The failure the search starts from, then any other symptoms seen. */
  symptom: Symptom | null;
  symptoms: Symptom[];
  /** Ranked, best first. */
  candidates: Candidate[];
  rootCause: Candidate | null;
  /**
   * Agents ranked by responsibility for the failure (see AgentTally). Answers "which agent";
   * `rootCause` answers "which item/step". The two can name different agents.
   */
  agents: Array<{ agent: string; score: number }>;
  /** Items that show the failure but are downstream of the root cause, or only report it. */
  notCauses: NotACause[];
  groundTruthUsed: boolean;
  finalAnswerCorrect: boolean | null;
  /** Set when a model named the root cause instead of the IDG search, with what the judgement cost. */
  judgedBy?: {
    method: "model";
    model: string;
    modelCalls: number;
    inputTokens: number;
    outputTokens: number;
  };
}

export interface RootCauseOptions {
  /** The correct answer; when given, values contradicting it are strong evidence. */
  groundTruth?: string;
  /** How many candidates to return (default 10). */
  limit?: number;
  /** How an orchestrator's ledger is read (defaults: DEFAULT_LEDGER_READING). */
  ledgerReading?: Partial<LedgerReading>;
}

/** Errors propagate downstream, so among signalled nodes the upstream one is preferred. */
const EARLINESS = 2;
/** Score given to every node on a dependency path to the symptom, signals or not. */
const ON_PATH = 0.25;

/**
 * Walks upstream from the symptom of a failed run and ranks the items that could have caused it.
 * Every point of score comes with a reason, so a user can check the verdict. The blame itself is
 * done by the passes in `passes/`, in order, over one shared `BlameState`.
 */
export function findRootCause(input: TraceInput, idg: Idg, options: RootCauseOptions = {}): RootCauseReport {
  const groundTruth = options.groundTruth ?? input.groundTruth;
  const nodes = idg.nodes;
  const finalAnswerCorrect = answerMatches(input.finalAnswer ?? lastAgentText(nodes), groundTruth);
  const symptoms = detectSymptoms(input, idg, finalAnswerCorrect);
  const symptom = primarySymptom(symptoms);
  const empty: RootCauseReport = {
    source: idg.source,
    symptom: null,
    symptoms,
    candidates: [],
    rootCause: null,
    agents: [],
    notCauses: [],
    groundTruthUsed: groundTruth !== undefined,
    finalAnswerCorrect,
  };
  if (!symptom || nodes.length === 0) return empty;
  const reading = { ...DEFAULT_LEDGER_READING, ...options.ledgerReading };
  const ctx = traceContext(input, idg, symptom, { finalAnswerCorrect, groundTruth, reading });
  const state = new BlameState(ctx.symptomNode.index, nodes.length);
  for (const pass of BLAME_PASSES) pass(ctx, state);
  const { ranked, agents } = rank(ctx, state, options.limit ?? 10);
  return {
    ...empty,
    symptom,
    candidates: ranked,
    rootCause: ranked[0] ?? null,
    agents,
    notCauses: ranked[0] ? notCauses(idg, symptoms, ranked[0], state) : [],
  };
}

/**
 * Facts every pass reads. Local signals are looked for once per agent item; what they, the verdicts
 * and the answer name decides which values' first appearances are needed, so only those are looked up.
 */
function traceContext(
  input: TraceInput,
  idg: Idg,
  symptom: Symptom,
  outcome: { finalAnswerCorrect: boolean | null; groundTruth: string | undefined; reading: LedgerReading },
): TraceContext {
  const { finalAnswerCorrect, groundTruth } = outcome;
  const symptomNode = idg.node(symptom.itemId) as IdgNode;
  const given = new Set(extractTokens(input.task).map((t) => t.key));
  const signalsAt = new Map<number, readonly LocalSignal[]>();
  const wanted = new Set<string>();
  const want = (text: string): void => {
    for (const t of extractTokens(text)) wanted.add(t.key);
  };
  for (const node of idg.nodes) {
    if (node.index > symptomNode.index) break;
    if (node.role === "verdict" || (node.role === "agent" && node.item.kind === "verification")) {
      const verdict = negativeVerdict(node);
      if (verdict) want(verdict.replace(MISSING_RE, ""));
    }
    if (node.role !== "agent") continue;
    const local = localSignalsOf(node, idg.source === "imported");
    if (local.length === 0) continue;
    signalsAt.set(node.index, local);
    for (const l of local) want(l.context);
  }
  const answerTokens = wrongValueCandidates(
    symptomNode,
    input.finalAnswer,
    given,
    finalAnswerCorrect === false ? groundTruth : undefined,
    input.source === "run",
  );
  for (const t of answerTokens) wanted.add(t.key);
  return {
    input,
    idg,
    symptom,
    symptomNode,
    given,
    signalsAt,
    answerTokens,
    firstSeen: firstOccurrences(idg.nodes, wanted),
    upstreamOf: memoUpstream(idg),
    finalAnswerCorrect,
    ledgerReading: outcome.reading,
  };
}

/**
 * Score of an item = signals × (1 + 2 × earliness) + 0.25 × (0.5 + earliness) on a path to the
 * symptom. Every agent item up to the symptom is scored; only the best `limit` become candidate
 * objects, and the agent ranking is summed on the way, so a long run costs no object per item.
 */
function rank(
  ctx: TraceContext,
  state: BlameState,
  limit: number,
): { ranked: Candidate[]; agents: Array<{ agent: string; score: number }> } {
  const { idg, symptomNode } = ctx;
  const nodes = idg.nodes;
  const n = nodes.length;
  // One search up from the symptom gives both what lies on a path to it and every such node's
  // distance to it, from which the evidence chains of the reported candidates are read off.
  const toSymptom = upstreamOrder(idg, symptomNode.index);
  const onPath = new Uint8Array(n);
  for (const i of toSymptom.order) onPath[i] = 1;
  onPath[symptomNode.index] = 1;
  const top: Array<{ index: number; score: number }> = [];
  const agentTally = new AgentTally(idg.source, symptomNode.id);
  for (const node of nodes) {
    if (node.index > symptomNode.index) break;
    if (node.role !== "agent") continue;
    // The check that caught the failure did not cause it.
    if (node.id === symptomNode.id && node.item.kind === "verification") continue;
    const list = state.of(node);
    let signal = 0;
    if (list) for (const r of list) signal += r.weight;
    const earliness = n > 1 ? 1 - node.index / (n - 1) : 1;
    const path = onPath[node.index] === 1;
    let score = signal * (1 + EARLINESS * earliness);
    if (path) score += ON_PATH * (0.5 + earliness);
    // Our runs record exactly what each item was built from; in an imported group chat every
    // earlier turn was in everyone's context, so no turn can be ruled out for lack of an edge.
    if (!path && signal === 0 && idg.source === "run") continue;
    score = Math.round(score * 1000) / 1000;
    agentTally.add(node, score, list);
    keepBest(top, node.index, score, limit);
  }
  const ranked = top.map(({ index, score }): Candidate => {
    const node = nodes[index] as IdgNode;
    const list = [...(state.reasons.get(node.id) ?? [])];
    if (onPath[index] === 1)
      list.push({
        signal: "position",
        detail: `on a dependency path to the ${ctx.symptom.kind.replace(/_/g, " ")}`,
        weight: ON_PATH,
      });
    const candidate: Candidate = {
      itemId: node.id,
      agent: node.agent,
      step: node.step,
      index,
      score,
      reasons: list,
      chain: state.chains.get(node.id) ?? chainTo(idg, index, symptomNode.index, toSymptom.dist),
      status: "suspect",
    };
    const claim = state.claims.get(node.id);
    if (claim !== undefined) candidate.claim = claim;
    return candidate;
  });
  // Two questions, two rankings: which item was decisive (the evidence above) and which agent
  // carries the most responsibility for the failure (AgentTally). They can differ.
  return { ranked, agents: agentTally.ranking() };
}

/**
 * The same report with another item as its root cause (a model's or a person's verdict): the
 * chain is read off the graph from that item to the symptom, the agent it names leads the agent
 * ranking, and the IDG's own reasons for the item are kept beside the verdict's.
 */
export function withRootCause(
  idg: Idg,
  report: RootCauseReport,
  itemId: string,
  reason: Reason,
): RootCauseReport {
  const node = idg.node(itemId);
  const symptomNode = report.symptom ? idg.node(report.symptom.itemId) : undefined;
  if (!node || !symptomNode) return { ...report, rootCause: null };
  const known = report.candidates.find((c) => c.itemId === itemId);
  const toSymptom = upstreamOrder(idg, symptomNode.index);
  const root: Candidate = {
    itemId,
    agent: node.agent,
    step: node.step,
    index: node.index,
    score: known?.score ?? 0,
    reasons: [reason, ...(known?.reasons ?? [])],
    chain: known?.chain ?? chainTo(idg, node.index, symptomNode.index, toSymptom.dist),
    status: "suspect",
  };
  if (known?.claim !== undefined) root.claim = known.claim;
  const others = report.candidates.filter((c) => c.itemId !== itemId);
  const agents = [
    { agent: node.agent, score: report.agents.find((a) => a.agent === node.agent)?.score ?? 0 },
    ...report.agents.filter((a) => a.agent !== node.agent),
  ];
  return { ...report, rootCause: root, candidates: [root, ...others], agents };
}
