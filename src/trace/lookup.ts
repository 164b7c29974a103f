import { upstreamOrder } from "./idg.js";
import { extractTokens, type Token, tokenNeedle } from "./tokens.js";
import type { Idg, IdgNode } from "./types.js";

/** Lookups over the graph that several blame passes share. */

/** Tokens of a node's text, extracted once per node: several passes read them. */
const tokenCache = new WeakMap<IdgNode, Token[]>();
export function tokensOf(node: IdgNode): Token[] {
  let tokens = tokenCache.get(node);
  if (!tokens) {
    tokens = extractTokens(node.text);
    tokenCache.set(node, tokens);
  }
  return tokens;
}

/**
 * token key -> index of the first node that contains it, for the wanted keys only. A cheap text
 * search for a fragment every spelling of a wanted value contains skips the items that cannot hold
 * one; only the rest are tokenised. Once a value is found its fragment is no longer searched for.
 */
export function firstOccurrences(
  nodes: ReadonlyArray<IdgNode>,
  wanted: ReadonlySet<string>,
): Map<string, number> {
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

/** The agent item that made a tool run: its exact parent, or the nearest agent turn before it. */
export function responsibleAgent(idg: Idg, tool: IdgNode): IdgNode | undefined {
  const exact = idg.parents(tool.id).filter((e) => e.kind === "derived");
  for (const e of exact) {
    const p = idg.node(e.from);
    if (p?.role === "agent") return p;
    if (p?.role === "tool") return responsibleAgent(idg, p);
  }
  return previous(idg, tool.index, (x) => x.role === "agent");
}

/** Who a complaint is about: the strongest upstream agent item by someone else (or the previous turn). */
export function criticisedNode(idg: Idg, critic: IdgNode): IdgNode | undefined {
  if (idg.source === "run") return agentParents(idg, critic)[0];
  return previous(
    idg,
    critic.index,
    (x) => (x.role === "agent" || x.role === "tool") && x.agent !== critic.agent,
    true,
  );
}

/**
 * The agent items a node was built from, strongest edge first; the plan (which every step of a run
 * is handed) comes after the items that carried the step's own data.
 */
export function agentParents(idg: Idg, node: IdgNode): IdgNode[] {
  const out: IdgNode[] = [];
  for (const e of [...idg.parents(node.id)].sort((a, b) => b.confidence - a.confidence)) {
    const p = idg.node(e.from);
    if (p?.role === "agent" && !out.includes(p)) out.push(p);
  }
  return [...out.filter((p) => p.item.kind !== "plan"), ...out.filter((p) => p.item.kind === "plan")];
}

/** The nearest earlier node matching; a tool result stands for the agent turn that ran it. */
export function previous(
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

/** Upstream searches by node index, each done once per trace. */
export function memoUpstream(idg: Idg): (index: number) => Int32Array {
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

/**
 * Who decided a tool call: the plan item that specified exactly this call (same tool, same
 * arguments) when the call derives from one, else the agent item that made it. A specialist that
 * ran what it was told to run carried out a decision; it did not make it.
 */
export function callDecider(idg: Idg, tool: IdgNode): IdgNode | undefined {
  const caller = responsibleAgent(idg, tool);
  if (caller?.item.kind !== "tool_call") return caller;
  const call = caller.item.content as { tool?: unknown; args?: unknown } | null;
  if (!call || typeof call !== "object") return caller;
  for (const e of idg.parents(caller.id)) {
    if (e.kind !== "derived") continue;
    const p = idg.node(e.from);
    if (p?.role === "agent" && p.item.kind === "plan" && planSpecifies(p.item.content, call)) return p;
  }
  return caller;
}

function planSpecifies(plan: unknown, call: { tool?: unknown; args?: unknown }): boolean {
  const steps = (plan as { steps?: unknown } | null)?.steps;
  if (!Array.isArray(steps)) return false;
  const want = canonical(call.args);
  return steps.some((s) => {
    const calls = (s as { toolCalls?: unknown } | null)?.toolCalls;
    return (
      Array.isArray(calls) &&
      calls.some(
        (c) =>
          (c as { tool?: unknown }).tool === call.tool && canonical((c as { args?: unknown }).args) === want,
      )
    );
  });
}

/** JSON with object keys sorted, so equal arguments compare equal whatever their key order. */
function canonical(v: unknown): string {
  if (Array.isArray(v)) return `[${v.map(canonical).join(",")}]`;
  if (v !== null && typeof v === "object")
    return `{${Object.keys(v as object)
      .sort()
      .map((k) => `${JSON.stringify(k)}:${canonical((v as Record<string, unknown>)[k])}`)
      .join(",")}}`;
  return JSON.stringify(v) ?? "null";
}
