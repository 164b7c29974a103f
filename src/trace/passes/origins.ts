import { responsibleAgent, tokensOf } from "../lookup.js";
import { extractTokens, type Token } from "../tokens.js";
import type { Idg, IdgNode } from "../types.js";

/** True when the text around a hedge states a value this very item introduces. */
export function introducesValue(
  node: IdgNode,
  context: string,
  firstSeen: ReadonlyMap<string, number>,
  given: ReadonlySet<string>,
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
export function namedOrigin(
  idg: Idg,
  critic: IdgNode,
  context: string,
  firstSeen: ReadonlyMap<string, number>,
  given: ReadonlySet<string>,
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

/**
 * The values of the final answer whose origins are wanted. Without a ground truth, its distinctive
 * values not given by the task (a "2" says nothing about where the error began). With one, exactly
 * the values the ground truth does not have: those are the wrong ones. With exact provenance
 * (`exact`) however short they are; in free text short values are too common to tell.
 */
export function wrongValueCandidates(
  symptom: IdgNode,
  finalAnswer: string | null,
  given: ReadonlySet<string>,
  groundTruth?: string,
  exact = false,
): Token[] {
  const tokens = extractTokens(finalAnswer ?? symptom.text).filter((t) => !given.has(t.key));
  if (groundTruth === undefined) return tokens.filter((t) => t.weight >= 0.5);
  const right = new Set(extractTokens(groundTruth).map((t) => t.key));
  const wrong = tokens.filter((t) => !right.has(t.key) && (exact || t.weight >= 0.5));
  // An answer that differs only in wording keeps the distinctive-value reading.
  return wrong.length > 0 ? wrong : tokens.filter((t) => t.weight >= 0.5);
}

/** Where each distinctive value of the final answer first appeared in an agent's own words. */
export function wrongValueOrigins(
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
