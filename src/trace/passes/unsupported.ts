import type { BlamePass } from "../blame.js";
import { tokensOf } from "../lookup.js";
import type { Idg, IdgNode } from "../types.js";

/**
 * Values introduced from nowhere (no earlier item, no tool) that later items build on. Judged by
 * the evidence of inferred edges: a graph without any (exact provenance only) has none to judge.
 */
export const unsupportedClaimsPass: BlamePass = (ctx, state) => {
  const { idg } = ctx;
  if (idg.adjacency.edgeEvidence.size === 0) return;
  for (const node of idg.nodes) {
    if (node.index > ctx.symptomNode.index) break;
    if (node.role !== "agent") continue;
    const unsupported = unsupportedValues(idg, node, ctx.given);
    if (unsupported.length < 2) continue;
    const quoted = unsupported
      .slice(0, 3)
      .map((v) => `"${v}"`)
      .join(", ");
    state.blame(node, "unsupported_claim", `introduces ${quoted} with no upstream source`, undefined, quoted);
  }
};

/** Specific values an agent states that no earlier item contains and no tool produced. */
function unsupportedValues(idg: Idg, node: IdgNode, given: ReadonlySet<string>): string[] {
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
    if (given.has(t.key) || t.weight < 0.5) continue;
    if (idg.parents(node.id).some((e) => e.evidence.includes(t.raw))) continue;
    if (idg.children(node.id).some((e) => e.evidence.includes(t.raw))) out.push(t.raw);
  }
  return out;
}
