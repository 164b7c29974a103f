import type { BlameState, Reason } from "./blame.js";
import { ACCOUNT_SIGNALS } from "./signals.js";
import type { Symptom } from "./symptoms.js";
import type { Idg, IdgNode } from "./types.js";

export interface NotACause {
  itemId: string;
  agent: string;
  step: number;
  why: string;
}

/** Weight of signals against plain participation when ranking agents. */
const AGENT_SIGNAL_WEIGHT = 0.25;

/**
 * Responsibility per agent, summed over the candidates in run order. Imported logs: one point per
 * turn it took before the failure (consecutive items by the same agent are one turn; the symptom
 * itself is not a turn), plus a quarter of the signal weight against its items. Our runs: the sum
 * of its candidates' scores, since with exact provenance the signals are reliable and are the whole
 * story. Ties go to the agent that acted first, since its output was in everyone's context longest.
 * Where the log gives its own account of who did what (an orchestrator's ledger), the agents that
 * account blames come first, ranked by that evidence alone.
 */
export class AgentTally {
  private readonly score = new Map<string, number>();
  private readonly account = new Map<string, number>();
  private readonly firstTurn = new Map<string, number>();
  private previousAgent = "";

  constructor(
    private readonly source: "run" | "imported",
    private readonly symptomId: string,
  ) {}

  add(node: IdgNode, score: number, reasons: ReadonlyArray<Reason> | undefined): void {
    if (!this.firstTurn.has(node.agent)) this.firstTurn.set(node.agent, node.index);
    let signal = 0;
    for (const r of reasons ?? []) {
      if (r.signal === "position") continue;
      signal += r.weight;
      if (ACCOUNT_SIGNALS.has(r.signal))
        this.account.set(node.agent, (this.account.get(node.agent) ?? 0) + r.weight * (1 + score));
    }
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
    const acc = (agent: string) => this.account.get(agent) ?? 0;
    return [...this.score]
      .map(([agent, s]) => ({ agent, score: Math.round(s * 1000) / 1000 }))
      .sort(
        (a, b) =>
          acc(b.agent) - acc(a.agent) ||
          b.score - a.score ||
          (this.firstTurn.get(a.agent) ?? 0) - (this.firstTurn.get(b.agent) ?? 0),
      );
  }
}

/** Keeps `top` the best `limit` entries, highest score first, earlier index on ties. */
export function keepBest(
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
 * Shortest chain of item ids from node `from` down to node `to` ([from] if none). `dist` holds each
 * node's distance to `to`; at each hop the strongest edge that stays on a shortest path is taken
 * (the earlier edge on ties), which is the path a breadth-first search down from `from` would
 * find first.
 */
export function chainTo(idg: Idg, from: number, to: number, dist: Int32Array): string[] {
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

/** Symptoms, and signalled items after the root cause: shown, but not the cause. */
export function notCauses(
  idg: Idg,
  symptoms: ReadonlyArray<Symptom>,
  root: { itemId: string; step: number; index: number },
  state: BlameState,
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
  for (const [id, list] of state.reasons) {
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
