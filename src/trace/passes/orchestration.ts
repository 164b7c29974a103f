import type { BlamePass, BlameState, TraceContext } from "../blame.js";
import { type Ledger, ownWords, pageOf, readLedger, reportsObservation } from "../ledger.js";
import { responsibleAgent } from "../lookup.js";
import { extractTokens } from "../tokens.js";
import type { IdgNode } from "../types.js";

interface LedgerAt {
  node: IdgNode;
  ledger: Ledger;
}

/**
 * Logs run by an orchestrator that keeps a progress ledger (who is asked to do what, whether
 * progress is being made, whether the request is satisfied) say in their own words how the run
 * went. Two readings follow:
 * - the orchestrator declared the request satisfied: the final answer repeats a claim, and the
 *   first agent that stated it in its own words (not in a page it was shown) is blamed; when
 *   nobody did, the orchestrator concluded on its own, and its conclusion is blamed;
 * - it never did: the run stalled, and the action the ledger first judged as no progress is
 *   blamed, moved back to the first of the actions before it that left the agent on the same page.
 */
export const orchestrationPass: BlamePass = (ctx, state) => {
  const ledgers = ledgersUpTo(ctx);
  if (ledgers.length < 2) return;
  const satisfied = ledgers.find((l) => l.ledger.satisfied === true);
  if (satisfied) {
    blameClaim(ctx, state, satisfied);
    return;
  }
  const stall = ledgers.find((l) => l.ledger.progress === false || l.ledger.loop === true);
  if (stall) blameStall(ctx, state, stall, ledgers);
};

function ledgersUpTo(ctx: TraceContext): LedgerAt[] {
  const out: LedgerAt[] = [];
  for (const node of ctx.idg.nodes) {
    if (node.index > ctx.symptomNode.index) break;
    if (node.role !== "agent") continue;
    const ledger = readLedger(node.text);
    // One orchestrator keeps the ledger; another agent quoting one is not it.
    if (ledger && (out.length === 0 || out[0]?.node.agent === node.agent)) out.push({ node, ledger });
  }
  return out;
}

function blameClaim(ctx: TraceContext, state: BlameState, decided: LedgerAt): void {
  const orchestrator = decided.node.agent;
  const conclusion = ctx.ledgerReading.closingStatement ? concludingStatement(ctx, decided) : decided.node;
  const tail = conclusion.id === decided.node.id ? [decided.node] : [decided.node, conclusion];
  const before = lastTurn(ctx, decided.node.index, (n) => n.agent !== orchestrator);
  const synthesis = before && !reportsObservation(before) ? before : undefined;
  const origin = firstClaimOfAnswer(ctx, decided.node.index);
  const claimFirst = ctx.ledgerReading.answerValueFirst || !synthesis;
  if (origin && claimFirst) {
    state.blame(
      origin.node,
      "claim_origin",
      `first states "${origin.value}" in its own words; the final answer repeats it`,
      undefined,
      origin.claim,
    );
    state.carry(origin.node, [...tail, ctx.symptomNode]);
    return;
  }
  if (synthesis) {
    state.blame(
      synthesis,
      "claim_origin",
      `its conclusion is what ${orchestrator} accepted as satisfying the request`,
      undefined,
      firstLine(synthesis.text),
    );
    state.carry(synthesis, [...tail, ctx.symptomNode]);
    return;
  }
  state.blame(
    conclusion,
    "premature_conclusion",
    `declared the request satisfied although no agent had stated the answer${before ? ` (${before.agent} only reported what it saw)` : ""}`,
    undefined,
    firstLine(conclusion.text),
  );
  state.carry(conclusion, [ctx.symptomNode]);
}

/** The orchestrator's own closing statement after the deciding ledger ("request satisfied"), else the ledger. */
function concludingStatement(ctx: TraceContext, decided: LedgerAt): IdgNode {
  let out = decided.node;
  for (let i = decided.node.index + 1; i < ctx.symptomNode.index; i++) {
    const n = ctx.idg.nodes[i];
    if (n?.role === "agent" && n.agent === decided.node.agent) out = n;
    else if (n?.role === "agent") break;
  }
  return out;
}

/** The first agent item before `end` whose own words contain a distinctive value of the final answer. */
function firstClaimOfAnswer(
  ctx: TraceContext,
  end: number,
): { node: IdgNode; value: string; claim: string } | null {
  const wanted = new Map(ctx.answerTokens.map((t) => [t.key, t.raw]));
  if (wanted.size === 0) return null;
  for (const node of ctx.idg.nodes) {
    if (node.index >= end) break;
    if (node.role !== "agent") continue;
    const words = ownWords(node);
    for (const t of extractTokens(words)) {
      const value = wanted.get(t.key);
      if (value !== undefined) return { node, value, claim: around(words, t.raw) };
    }
  }
  return null;
}

function blameStall(ctx: TraceContext, state: BlameState, stall: LedgerAt, ledgers: LedgerAt[]): void {
  const orchestrator = stall.node.agent;
  const acted = lastTurn(ctx, stall.node.index, (n) => n.agent !== orchestrator);
  if (!acted) return;
  const blamed = ctx.ledgerReading.pullBackSamePage ? firstOnSamePage(ctx, acted) : acted;
  // What it was asked to do: the instruction of the last ledger before the action.
  const instruction = ledgers.filter((l) => l.node.index < blamed.index).at(-1)?.ledger.instruction;
  const claim = firstLine(ownWords(blamed).trim() || blamed.text);
  const why =
    blamed.id === acted.id
      ? `${orchestrator}'s ledger (step ${stall.node.step}) first reports no progress right after this action`
      : `left ${blamed.agent} on the page it was already on; ${orchestrator}'s ledger (step ${stall.node.step}) reports no progress after the same page at step ${acted.step}`;
  state.blame(
    blamed,
    "first_stall",
    why,
    stall.node,
    instruction ? `${claim} (asked: ${firstLine(instruction)})` : claim,
  );
  const chain = blamed.id === acted.id ? [stall.node, ctx.symptomNode] : [acted, stall.node, ctx.symptomNode];
  state.carry(blamed, chain);
}

/**
 * Walks back over the same agent's earlier actions while each left it on the page the previous one
 * had reached: the stall began with the first action that changed nothing.
 */
function firstOnSamePage(ctx: TraceContext, acted: IdgNode): IdgNode {
  let blamed = acted;
  let cur = acted;
  for (;;) {
    const page = pageOf(cur);
    const prev = lastTurn(ctx, cur.index, (n) => n.agent === acted.agent);
    if (!page || !prev || pageOf(prev) !== page) return blamed;
    blamed = cur;
    cur = prev;
  }
}

/** The last agent turn before `end` matching; a tool result stands for the agent that ran it. */
function lastTurn(ctx: TraceContext, end: number, match: (n: IdgNode) => boolean): IdgNode | undefined {
  for (let i = end - 1; i >= 0; i--) {
    const n = ctx.idg.nodes[i];
    if (!n || n.role === "task" || n.role === "verdict") continue;
    const agentNode = n.role === "tool" ? responsibleAgent(ctx.idg, n) : n;
    if (agentNode && match(agentNode)) return agentNode;
  }
  return undefined;
}

function firstLine(text: string): string {
  const line = text.trim().split("\n")[0] ?? "";
  return line.length > 160 ? `${line.slice(0, 157)}...` : line;
}

function around(text: string, value: string): string {
  const at = text.indexOf(value);
  if (at < 0) return firstLine(text);
  const s = text
    .slice(Math.max(0, at - 60), at + value.length + 60)
    .replace(/\s+/g, " ")
    .trim();
  return s;
}
