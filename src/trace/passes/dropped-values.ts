import type { BlamePass } from "../blame.js";
import { negativeVerdict } from "../signals.js";
import { releasedVerdicts } from "../symptoms.js";
import type { Idg, IdgNode } from "../types.js";

export const MISSING_RE =
  /(?:does not mention|doesn't mention|is missing|missing|lacks|omits|leaves out)\s+"([^"]{2,80})"/gi;

export function missingValues(verdict: string): string[] {
  return [...verdict.matchAll(MISSING_RE)].map((m) => m[1] as string);
}

/** Among the agents upstream of what the verdict rejected, the first one whose inputs carried the value but whose output did not. */
export function earliestDropper(
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
    // The plan lists every step's instructions: being handed it is not being handed a step's data.
    if (!idg.parents(n.id).some((e) => handedData(idg.node(e.from)) && has(idg.node(e.from)))) continue;
    if (!best || n.index < best.index) best = n;
  }
  return best;
}

function handedData(n: IdgNode | undefined): boolean {
  return n !== undefined && n.item.kind !== "plan";
}

/**
 * A rejection that names what is missing ("does not mention \"4.12.0\""): blame the earliest
 * agent on the rejected item's exact upstream that was handed the value and left it out.
 */
export const droppedValuesPass: BlamePass = (ctx, state) => {
  const released = releasedVerdicts(ctx.idg);
  for (const node of ctx.idg.nodes) {
    if (node.index > ctx.symptomNode.index) break;
    if (node.item.kind !== "verification" || released.has(node.id)) continue;
    const verdict = negativeVerdict(node);
    if (!verdict) continue;
    for (const value of missingValues(verdict)) {
      const dropper = earliestDropper(ctx.idg, node, value, ctx.upstreamOf);
      if (dropper)
        state.blame(
          dropper,
          "dropped_value",
          `was handed "${value}" but left it out (${node.agent}: ${verdict})`,
          node,
        );
    }
  }
};
