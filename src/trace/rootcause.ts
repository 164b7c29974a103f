import { upstreamOrder } from "./idg.js";
import {
  type LocalSignal,
  localSignalsOf,
  negativeVerdict,
  SIGNAL_WEIGHTS,
  type SignalKind,
  toolErrorIn,
} from "./signals.js";
import { extractTokens, normaliseAnswer, type Token, tokenNeedle } from "./tokens.js";
import type { Idg, IdgNode, TraceInput } from "./types.js";

export const SYMPTOM_KINDS = [
  "wrong_final_answer",
  "failed_verification",
  "blocked_plan",
  "tool_error",
  "final_step",
] as const;
export type SymptomKind = (typeof SYMPTOM_KINDS)[number];

export interface Symptom {
  itemId: string;
  agent: string;
  step: number;
  kind: SymptomKind;
  detail: string;
}

export interface Reason {
  signal: SignalKind | "position";
  detail: string;
  weight: number;
  /** The node whose content shows the signal (may differ from the blamed node, e.g. a tool error). */
  seenAt?: string;
}

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
  /** Item ids from this candidate down to the primary symptom (inclusive), following IDG edges. */
  chain: string[];
  status: CandidateStatus;
  replay?: { fixed: boolean; detail: string };
}

export interface NotACause {
  itemId: string;
  agent: string;
  step: number;
  why: string;
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
   * Agents ranked by responsibility for the failure (see rankAgents). Answers "which agent";
   * `rootCause` answers "which item/step". The two can name different agents.
   */
  agents: Array<{ agent: string; score: number }>;
  /** Items that show the failure but are downstream of the root cause, or only report it. */
  notCauses: NotACause[];
  groundTruthUsed: boolean;
  finalAnswerCorrect: boolean | null;
}

export interface RootCauseOptions {
  /** The correct answer; when given, values contradicting it are strong evidence. */
  groundTruth?: string;
  /** How many candidates to return (default 10). */
  limit?: number;
}

/** Errors propagate downstream, so among signalled nodes the upstream one is preferred. */
const EARLINESS = 2;
/** Score given to every node on a dependency path to the symptom, signals or not. */
const ON_PATH = 0.25;

/**
 * Walks upstream from the symptom of a failed run and ranks the items that could have caused it.
 * Every point of score comes with a reason, so a user can check the verdict.
 */
export function findRootCause(input: TraceInput, idg: Idg, options: RootCauseOptions = {}): RootCauseReport {
  const groundTruth = options.groundTruth ?? input.groundTruth;
  const limit = options.limit ?? 10;
  const nodes = idg.nodes;
  const n = nodes.length;
  const finalAnswerCorrect = answerMatches(input.finalAnswer ?? lastAgentText(nodes), groundTruth);
  const symptoms = detectSymptoms(input, idg, finalAnswerCorrect);
  const symptom = primarySymptom(symptoms);
  if (!symptom || n === 0) {
    return {
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
  }
  const symptomNode = idg.node(symptom.itemId) as IdgNode;
  // One search up from the symptom gives both what lies on a path to it and every such node's
  // distance to it, from which the evidence chains of the reported candidates are read off.
  const toSymptom = upstreamOrder(idg, symptomNode.index);
  const onPath = new Uint8Array(n);
  for (const i of toSymptom.order) onPath[i] = 1;
  onPath[symptomNode.index] = 1;
  const upstreamOf = memoUpstream(idg);

  const reasons = new Map<string, Reason[]>();
  const blamed = new Uint8Array(n);
  const blame = (target: IdgNode | undefined, kind: SignalKind, detail: string, seenAt?: IdgNode): void => {
    if (target?.role !== "agent" || target.index > symptomNode.index) return;
    const list = reasons.get(target.id) ?? [];
    // One reason per signal kind and node: repeated complaints about the same step add nothing.
    if (list.some((r) => r.signal === kind)) return;
    const reason: Reason = { signal: kind, detail, weight: SIGNAL_WEIGHTS[kind] };
    if (seenAt && seenAt.id !== target.id) reason.seenAt = seenAt.id;
    list.push(reason);
    reasons.set(target.id, list);
    blamed[target.index] = 1;
  };

  const given = new Set(extractTokens(input.task).map((t) => t.key));
  // Local signals are looked for once per agent item; what they and the verdicts name decides
  // which values' first appearances are needed, so only those are looked up.
  const signalsAt = new Map<number, readonly LocalSignal[]>();
  const wanted = new Set<string>();
  const want = (text: string): void => {
    for (const t of extractTokens(text)) wanted.add(t.key);
  };
  for (const node of nodes) {
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
  const answerTokens = wrongValueCandidates(symptomNode, input.finalAnswer, given);
  for (const t of answerTokens) wanted.add(t.key);
  const firstSeen = firstOccurrences(nodes, wanted);
  // A rejection that names a wrong value blames where the value came from; a block, or a
  // rejection without one, blames what the verdict was about.
  const rejectVerdict = (node: IdgNode, kind: SignalKind, verdict: string): void => {
    // "X is missing" and someone upstream was handed X: that agent is blamed (dropped value), not
    // the last item that inherited the gap.
    if (
      kind === "verifier_rejection" &&
      missingValues(verdict).some((v) => earliestDropper(idg, node, v, upstreamOf))
    )
      return;
    const named =
      // A value the verdict says is missing is not a wrong value: the dropped-value signal handles it.
      kind === "verifier_rejection"
        ? namedOrigin(idg, node, verdict.replace(MISSING_RE, ""), firstSeen, given, true)
        : null;
    if (named) {
      blame(
        named.node,
        kind,
        `${node.agent}: ${verdict} (names "${named.value}", first introduced here)`,
        node,
      );
      return;
    }
    for (const target of agentParents(idg, node)) blame(target, kind, `${node.agent}: ${verdict}`, node);
  };
  for (const node of nodes) {
    if (node.index > symptomNode.index) break;
    if (node.role === "tool") {
      const err = toolErrorIn(node, input.source === "run");
      if (err) blame(responsibleAgent(idg, node), "tool_error", `${err} (step ${node.step})`, node);
      continue;
    }
    if (node.role === "verdict") {
      const verdict = negativeVerdict(node);
      if (verdict) {
        const kind: SignalKind = isPlanVerdict(node) ? "blocked" : "verifier_rejection";
        rejectVerdict(node, kind, verdict);
      }
      continue;
    }
    if (node.role !== "agent") continue;
    for (const local of signalsAt.get(node.index) ?? []) {
      // A complaint that names a value points at whoever introduced it (someone else); a hedge
      // or a failed action is the speaker's own unless the hedge only restates others' values.
      const own = local.kind === "hedged_claim" || local.kind === "failed_action";
      const named =
        local.kind === "failed_action" ||
        (local.kind === "hedged_claim" && introducesValue(node, local.context, firstSeen, given))
          ? null
          : namedOrigin(idg, node, local.context, firstSeen, given, !own);
      if (named) {
        blame(
          named.node,
          local.kind,
          `${node.agent} ${local.detail} about "${named.value}", first introduced here`,
          node,
        );
      } else if (own) {
        blame(node, local.kind, local.detail);
      } else {
        blame(criticisedNode(idg, node), local.kind, `${node.agent} ${local.detail}`, node);
      }
    }
    if (node.item.kind === "verification") {
      const verdict = negativeVerdict(node);
      if (verdict) rejectVerdict(node, "verifier_rejection", verdict);
    }
  }

  // A rejection that names what is missing ("does not mention \"4.12.0\""): blame the earliest
  // agent on the rejected item's exact upstream that was handed the value and left it out.
  for (const node of nodes) {
    if (node.index > symptomNode.index || node.item.kind !== "verification") continue;
    const verdict = negativeVerdict(node);
    if (!verdict) continue;
    for (const value of missingValues(verdict)) {
      const dropper = earliestDropper(idg, node, value, upstreamOf);
      if (dropper)
        blame(
          dropper,
          "dropped_value",
          `was handed "${value}" but left it out (${node.agent}: ${verdict})`,
          node,
        );
    }
  }

  // Values that reach a wrong final answer: blame where each first appeared.
  // Only when there is an outcome to trace: in our runs a guard's block or a crash is not an
  // answer; an imported log's concluding item is its outcome whatever it is.
  const answerLike =
    input.source === "imported" ||
    input.finalAnswer !== null ||
    symptom.kind === "wrong_final_answer" ||
    symptom.kind === "final_step";
  if (finalAnswerCorrect !== true && answerLike) {
    const kind: SignalKind = finalAnswerCorrect === false ? "contradicts_ground_truth" : "wrong_value_origin";
    for (const origin of wrongValueOrigins(idg, symptomNode, answerTokens, firstSeen)) {
      blame(
        origin.node,
        kind,
        `first appearance of "${origin.value}", which reaches the ${finalAnswerCorrect === false ? "wrong " : ""}final answer`,
      );
    }
  }

  // Values introduced from nowhere (no earlier item, no tool) that later items build on. Judged by
  // the evidence of inferred edges: a graph without any (exact provenance only) has none to judge.
  for (const node of idg.adjacency.edgeEvidence.size > 0 ? nodes : []) {
    if (node.role !== "agent" || node.index > symptomNode.index) continue;
    const unsupported = unsupportedValues(idg, node, given);
    if (unsupported.length === 0) continue;
    if (unsupported.length >= 2) {
      blame(
        node,
        "unsupported_claim",
        `introduces ${unsupported
          .slice(0, 3)
          .map((v) => `"${v}"`)
          .join(", ")} with no upstream source`,
      );
    }
  }

  // Every agent item up to the symptom is scored; only the best `limit` become candidate objects,
  // and the agent ranking is summed on the way, so a long run costs no object per item.
  const top: Array<{ index: number; score: number }> = [];
  const agentTally = new AgentTally(idg.source, symptomNode.id);
  for (const node of nodes) {
    if (node.role !== "agent" || node.index > symptomNode.index) continue;
    // The check that caught the failure did not cause it.
    if (node.id === symptomNode.id && node.item.kind === "verification") continue;
    const list = blamed[node.index] === 1 ? reasons.get(node.id) : undefined;
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
    agentTally.add(node, score, signal);
    keepBest(top, node.index, score, limit);
  }
  const ranked: Candidate[] = top.map(({ index, score }) => {
    const node = nodes[index] as IdgNode;
    const list = [...(reasons.get(node.id) ?? [])];
    if (onPath[index] === 1)
      list.push({
        signal: "position",
        detail: `on a dependency path to the ${symptom.kind.replace(/_/g, " ")}`,
        weight: ON_PATH,
      });
    return {
      itemId: node.id,
      agent: node.agent,
      step: node.step,
      index,
      score,
      reasons: list,
      chain: chainTo(idg, index, symptomNode.index, toSymptom.dist),
      status: "suspect",
    };
  });
  // Two questions, two rankings: which item was decisive (the evidence above) and which agent
  // carries the most responsibility for the failure (AgentTally). They can differ.
  const agents = agentTally.ranking();
  return {
    source: idg.source,
    symptom,
    symptoms,
    candidates: ranked,
    rootCause: ranked[0] ?? null,
    agents,
    notCauses: ranked[0] ? notCauses(idg, symptoms, ranked[0], reasons) : [],
    groundTruthUsed: groundTruth !== undefined,
    finalAnswerCorrect,
  };
}

/** Weight of signals against plain participation when ranking agents. */
const AGENT_SIGNAL_WEIGHT = 0.25;

/**
 * Responsibility per agent, summed over the candidates in run order. Imported logs: one point per
 * turn it took before the failure (consecutive items by the same agent are one turn; the symptom
 * itself is not a turn), plus a quarter of the signal weight against its items. Our runs: the sum
 * of its candidates' scores, since with exact provenance the signals are reliable and are the whole
 * story. Ties go to the agent that acted first, since its output was in everyone's context longest.
 */
class AgentTally {
  private readonly score = new Map<string, number>();
  private readonly firstTurn = new Map<string, number>();
  private previousAgent = "";

  constructor(
    private readonly source: "run" | "imported",
    private readonly symptomId: string,
  ) {}

  add(node: IdgNode, score: number, signal: number): void {
    if (!this.firstTurn.has(node.agent)) this.firstTurn.set(node.agent, node.index);
    if (this.source === "run") {
      this.score.set(node.agent, (this.score.get(node.agent) ?? 0) + score);
      return;
    }
    // The symptom shows the failure; it is no share of causing it.
    const turn = node.agent === this.previousAgent || node.id === this.symptomId ? 0 : 1;
    this.previousAgent = node.agent;
    this.score.set(node.agent, (this.score.get(node.agent) ?? 0) + turn + AGENT_SIGNAL_WEIGHT * signal);
  }

  ranking(): Array<{ agent: string; score: number }> {
    return [...this.score]
      .map(([agent, s]) => ({ agent, score: Math.round(s * 1000) / 1000 }))
      .sort(
        (a, b) =>
          b.score - a.score || (this.firstTurn.get(a.agent) ?? 0) - (this.firstTurn.get(b.agent) ?? 0),
      );
  }
}

/** Keeps `top` the best `limit` entries, highest score first, earlier index on ties. */
function keepBest(
  top: Array<{ index: number; score: number }>,
  index: number,
  score: number,
  limit: number,
): void {
  if (limit <= 0) return;
  // Entries are met in index order, so an equal score never displaces one already kept.
  const last = top[top.length - 1];
  if (top.length >= limit && last && last.score >= score) return;
  let at = top.length;
  while (at > 0 && (top[at - 1] as { score: number }).score < score) at--;
  top.splice(at, 0, { index, score });
  if (top.length > limit) top.pop();
}

/**
 * token key -> index of the first node that contains it, for the wanted keys only. A cheap text
 * search for a fragment every spelling of a wanted value contains skips the items that cannot hold
 * one; only the rest are tokenised. Once a value is found its fragment is no longer searched for.
 */
function firstOccurrences(nodes: ReadonlyArray<IdgNode>, wanted: ReadonlySet<string>): Map<string, number> {
  const first = new Map<string, number>();
  if (wanted.size === 0) return first;
  let mayHold = fragmentSearch(wanted, first);
  for (const node of nodes) {
    if (node.role === "task") continue;
    if (mayHold && !mayHold.test(node.text)) continue;
    const found = first.size;
    for (const t of tokensOf(node)) if (wanted.has(t.key) && !first.has(t.key)) first.set(t.key, node.index);
    if (first.size === wanted.size) break;
    if (first.size > found) mayHold = fragmentSearch(wanted, first);
  }
  return first;
}

/** A pattern every text holding a wanted key not found yet matches (null: none is known). */
function fragmentSearch(wanted: ReadonlySet<string>, found: ReadonlyMap<string, number>): RegExp | null {
  const needles = new Set<string>();
  for (const key of wanted) if (!found.has(key)) needles.add(tokenNeedle(key));
  if (needles.has("") || needles.size > 512) return null;
  return new RegExp([...needles].map((x) => x.replace(/[.*+?^${}()|[\]\\]/g, "\\$&")).join("|"), "i");
}

/** True when the text around a hedge states a value this very item introduces. */
function introducesValue(
  node: IdgNode,
  context: string,
  firstSeen: Map<string, number>,
  given: Set<string>,
): boolean {
  return extractTokens(context).some(
    // Any new value counts here, small numbers included: "assuming 20 per mile" states its own 20.
    (t) => !given.has(t.key) && firstSeen.get(t.key) === node.index,
  );
}

/**
 * The earlier item that introduced the values a complaint talks about (the most named one; the
 * nearest on ties). Values from the task are given, not introduced.
 */
function namedOrigin(
  idg: Idg,
  critic: IdgNode,
  context: string,
  firstSeen: Map<string, number>,
  given: Set<string>,
  otherAuthor: boolean,
): { node: IdgNode; value: string } | null {
  const counts = new Map<number, { n: number; value: string }>();
  for (const t of extractTokens(context)) {
    if (t.weight < 0.5 || given.has(t.key)) continue;
    const at = firstSeen.get(t.key);
    if (at === undefined || at >= critic.index) continue;
    if (otherAuthor && idg.nodes[at]?.agent === critic.agent) continue;
    const c = counts.get(at);
    if (c) c.n += 1;
    else counts.set(at, { n: 1, value: t.raw });
  }
  let best: { at: number; n: number; value: string } | null = null;
  for (const [at, c] of counts) {
    if (!best || c.n > best.n || (c.n === best.n && at > best.at)) best = { at, ...c };
  }
  if (!best) return null;
  const origin = idg.nodes[best.at];
  if (!origin) return null;
  const node = origin.role === "tool" ? responsibleAgent(idg, origin) : origin;
  return node && node.role === "agent" ? { node, value: best.value } : null;
}

function isPlanVerdict(node: IdgNode): boolean {
  const c = node.item.content;
  return c !== null && typeof c === "object" && (c as Record<string, unknown>).hook === "plan";
}

/** The agent item that made a tool run: its exact parent, or the nearest agent turn before it. */
function responsibleAgent(idg: Idg, tool: IdgNode): IdgNode | undefined {
  const exact = idg.parents(tool.id).filter((e) => e.kind === "derived");
  for (const e of exact) {
    const p = idg.node(e.from);
    if (p?.role === "agent") return p;
    if (p?.role === "tool") return responsibleAgent(idg, p);
  }
  return previous(idg, tool.index, (x) => x.role === "agent");
}

/** Who a complaint is about: the strongest upstream agent item by someone else (or the previous turn). */
function criticisedNode(idg: Idg, critic: IdgNode): IdgNode | undefined {
  if (idg.source === "run") return agentParents(idg, critic)[0];
  return previous(
    idg,
    critic.index,
    (x) => (x.role === "agent" || x.role === "tool") && x.agent !== critic.agent,
    true,
  );
}

function agentParents(idg: Idg, node: IdgNode): IdgNode[] {
  const out: IdgNode[] = [];
  for (const e of [...idg.parents(node.id)].sort((a, b) => b.confidence - a.confidence)) {
    const p = idg.node(e.from);
    if (p?.role === "agent" && !out.includes(p)) out.push(p);
  }
  return out;
}

/** The nearest earlier node matching; a tool result stands for the agent turn that ran it. */
function previous(
  idg: Idg,
  index: number,
  match: (n: IdgNode) => boolean,
  resolveTool = false,
): IdgNode | undefined {
  for (let i = index - 1; i >= 0; i--) {
    const cand = idg.nodes[i];
    if (cand && match(cand)) {
      if (resolveTool && cand.role === "tool") return responsibleAgent(idg, cand);
      return cand;
    }
  }
  return undefined;
}

/**
 * The last node that says something: a closing "TERMINATE" or "done" is a control word, the
 * failure shows in the conclusion before it.
 */
function concludingNode(nodes: ReadonlyArray<IdgNode>): IdgNode | undefined {
  for (let i = nodes.length - 1; i >= 0; i--) {
    const node = nodes[i];
    if (node && (node.role !== "agent" || node.text.trim().length >= 30)) return node;
  }
  return nodes[nodes.length - 1];
}

function lastAgentText(nodes: ReadonlyArray<IdgNode>): string | null {
  for (let i = nodes.length - 1; i >= 0; i--) {
    const node = nodes[i];
    if (node && node.role === "agent") return node.text;
  }
  return null;
}

/** null when there is nothing to compare (no ground truth or no answer). */
export function answerMatches(answer: string | null, groundTruth: string | undefined): boolean | null {
  if (groundTruth === undefined || answer === null) return null;
  const a = normaliseAnswer(answer);
  const g = normaliseAnswer(groundTruth);
  if (g.length === 0) return null;
  if (a === g) return true;
  // A short answer inside a longer final message counts; word boundaries keep "1" from matching "12".
  const escaped = g.replace(/[.*+?^${}()|[\]\\]/g, "\\$&");
  return (
    new RegExp(`(^|[^\\p{L}\\p{N}])${escaped}($|[^\\p{L}\\p{N}])`, "u").test(a) &&
    a.length <= g.length * 4 + 40
  );
}

const MISSING_RE =
  /(?:does not mention|doesn't mention|is missing|missing|lacks|omits|leaves out)\s+"([^"]{2,80})"/gi;

function missingValues(verdict: string): string[] {
  return [...verdict.matchAll(MISSING_RE)].map((m) => m[1] as string);
}

/** Among the agents upstream of what the verdict rejected, the first one whose inputs carried the value but whose output did not. */
function earliestDropper(
  idg: Idg,
  verdictNode: IdgNode,
  value: string,
  upstreamOf: (index: number) => Int32Array,
): IdgNode | undefined {
  const needle = value.toLowerCase();
  const has = (n: IdgNode | undefined) => n?.text.toLowerCase().includes(needle) === true;
  let best: IdgNode | undefined;
  for (const i of upstreamOf(verdictNode.index)) {
    const n = idg.nodes[i] as IdgNode;
    if (n.role !== "agent" || n.item.kind === "verification" || has(n)) continue;
    if (!idg.parents(n.id).some((e) => has(idg.node(e.from)))) continue;
    if (!best || n.index < best.index) best = n;
  }
  return best;
}

/** Upstream searches by node index, each done once per trace. */
function memoUpstream(idg: Idg): (index: number) => Int32Array {
  const done = new Map<number, Int32Array>();
  return (index) => {
    let order = done.get(index);
    if (!order) {
      order = upstreamOrder(idg, index).order;
      done.set(index, order);
    }
    return order;
  };
}

function detectSymptoms(input: TraceInput, idg: Idg, finalAnswerCorrect: boolean | null): Symptom[] {
  const out: Symptom[] = [];
  const sym = (node: IdgNode, kind: SymptomKind, detail: string): void => {
    out.push({ itemId: node.id, agent: node.agent, step: node.step, kind, detail });
  };
  for (const node of idg.nodes) {
    if (node.role === "tool") {
      const err = toolErrorIn(node, input.source === "run");
      if (err) sym(node, "tool_error", err);
    } else if (node.role === "verdict" || node.item.kind === "verification") {
      const verdict = negativeVerdict(node);
      if (verdict)
        sym(node, isPlanVerdict(node) ? "blocked_plan" : "failed_verification", `${node.agent}: ${verdict}`);
    }
  }
  const last = concludingNode(idg.nodes);
  let finalNode: IdgNode | undefined;
  for (let i = idg.nodes.length - 1; i >= 0 && !finalNode; i--)
    if (idg.nodes[i]?.item.kind === "final_answer") finalNode = idg.nodes[i];
  if (!finalNode && input.source === "imported") finalNode = last;
  if (finalNode && finalAnswerCorrect === false) {
    sym(
      finalNode,
      "wrong_final_answer",
      `final answer ${JSON.stringify(input.finalAnswer ?? finalNode.text.slice(0, 80))} does not match the ground truth`,
    );
  }
  // A run that finished with nothing rejected and no ground truth against it has no failure to explain.
  const failed = input.source === "imported" || input.status !== "finished";
  if (last && failed && !out.some((s) => s.itemId === last.id)) {
    sym(
      last,
      "final_step",
      input.reason ?? (input.status ? `run ended ${input.status}` : "last step of a failed log"),
    );
  }
  return out;
}

/** The failure to explain: a wrong answer first, then a rejection or block, then a tool error. */
function primarySymptom(symptoms: ReadonlyArray<Symptom>): Symptom | null {
  const order: SymptomKind[] = [
    "wrong_final_answer",
    "blocked_plan",
    "failed_verification",
    "final_step",
    "tool_error",
  ];
  for (const kind of order) {
    const matching = symptoms.filter((s) => s.kind === kind);
    const lastOne = matching[matching.length - 1];
    if (lastOne) return lastOne;
  }
  return null;
}

/** The distinctive values of the final answer (not given by the task) whose origins are wanted. */
function wrongValueCandidates(
  symptom: IdgNode,
  finalAnswer: string | null,
  given: ReadonlySet<string>,
): Token[] {
  // Only distinctive values: a "2" in the answer says nothing about where the error began.
  return extractTokens(finalAnswer ?? symptom.text).filter((t) => t.weight >= 0.5 && !given.has(t.key));
}

/** Where each distinctive value of the final answer first appeared in an agent's own words. */
function wrongValueOrigins(
  idg: Idg,
  symptom: IdgNode,
  tokens: ReadonlyArray<Token>,
  firstSeen: ReadonlyMap<string, number>,
): Array<{ node: IdgNode; value: string }> {
  const wanted = new Map(tokens.map((t) => [t.key, t.raw]));
  // In order of first appearance (then of the token within that item), as the blame order.
  const found: Array<{ key: string; node: IdgNode; pos: number }> = [];
  for (const key of wanted.keys()) {
    const at = firstSeen.get(key);
    if (at === undefined || at > symptom.index) continue;
    const node = idg.nodes[at] as IdgNode;
    found.push({ key, node, pos: tokensOf(node).findIndex((t) => t.key === key) });
  }
  found.sort((a, b) => a.node.index - b.node.index || a.pos - b.pos);
  const out: Array<{ node: IdgNode; value: string }> = [];
  for (const { key, node } of found) {
    // A value first seen in a tool's output came from the world, not from an agent's claim.
    if (node.role === "tool") continue;
    if (node.id !== symptom.id) out.push({ node, value: wanted.get(key) ?? key });
  }
  return out;
}

/** Specific values an agent states that no earlier item contains and no tool produced. */
function unsupportedValues(idg: Idg, node: IdgNode, given: Set<string>): string[] {
  const out: string[] = [];
  // Reuse is judged by the evidence of inferred edges; an item none of whose out-edges carries
  // any (every item of a run with exact provenance) has nothing to check.
  const a = idg.adjacency;
  let evidenced = false;
  for (let k = a.childStart[node.index] as number; k < (a.childStart[node.index + 1] as number); k++)
    if (a.edgeEvidence.has(a.childEdges[k] as number)) evidenced = true;
  if (!evidenced) return out;
  for (const t of tokensOf(node)) {
    if (t.kind !== "number" && t.kind !== "quote") continue;
    if (given.has(t.key)) continue;
    if (t.weight < 0.5) continue;
    const sourced = idg.parents(node.id).some((e) => e.evidence.includes(t.raw));
    if (sourced) continue;
    const reused = idg.children(node.id).some((e) => e.evidence.includes(t.raw));
    if (reused) out.push(t.raw);
  }
  return out;
}

/** Tokens of a node's text, extracted once per node: several signals read them. */
const tokenCache = new WeakMap<IdgNode, Token[]>();
function tokensOf(node: IdgNode): Token[] {
  let tokens = tokenCache.get(node);
  if (!tokens) {
    tokens = extractTokens(node.text);
    tokenCache.set(node, tokens);
  }
  return tokens;
}

/**
 * Shortest chain of item ids from node `from` down to node `to` ([from] if none). `dist` holds each
 * node's distance to `to`; at each hop the strongest edge that stays on a shortest path is taken
 * (the earlier edge on ties), which is the path a breadth-first search down from `from` would
 * find first.
 */
function chainTo(idg: Idg, from: number, to: number, dist: Int32Array): string[] {
  const path = [(idg.nodes[from] as IdgNode).id];
  if (from === to || dist[from] === -1) return path;
  const a = idg.adjacency;
  for (let cur = from; cur !== to; ) {
    let best = -1;
    let bestConfidence = -1;
    for (let k = a.childStart[cur] as number; k < (a.childStart[cur + 1] as number); k++) {
      const e = a.childEdges[k] as number;
      const child = a.edgeTo[e] as number;
      const confidence = a.edgeConfidenceMilli[e] as number;
      if (dist[child] === (dist[cur] as number) - 1 && confidence > bestConfidence) {
        best = child;
        bestConfidence = confidence;
      }
    }
    cur = best;
    path.push((idg.nodes[cur] as IdgNode).id);
  }
  return path;
}

function notCauses(
  idg: Idg,
  symptoms: ReadonlyArray<Symptom>,
  root: Candidate,
  reasons: Map<string, Reason[]>,
): NotACause[] {
  const out: NotACause[] = [];
  const seen = new Set<string>([root.itemId]);
  for (const s of symptoms) {
    if (seen.has(s.itemId)) continue;
    seen.add(s.itemId);
    const node = idg.node(s.itemId);
    const why =
      node?.role === "tool"
        ? "tool output: it reports the failure, the call that produced it was decided upstream"
        : node?.role === "verdict"
          ? "verdict: it caught the failure, it did not cause it"
          : `symptom (${s.kind.replace(/_/g, " ")}) downstream of step ${root.step}`;
    out.push({ itemId: s.itemId, agent: s.agent, step: s.step, why });
  }
  for (const [id, list] of reasons) {
    const node = idg.node(id);
    if (!node || seen.has(id) || node.index <= root.index) continue;
    if (list.length === 0) continue;
    seen.add(id);
    out.push({
      itemId: id,
      agent: node.agent,
      step: node.step,
      why: `shows ${list.map((r) => r.signal.replace(/_/g, " ")).join(", ")} but comes after the root cause at step ${root.step}`,
    });
  }
  return out.sort((a, b) => a.step - b.step);
}
