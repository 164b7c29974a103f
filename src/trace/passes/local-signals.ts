import type { BlamePass, BlameState, TraceContext } from "../blame.js";
import { agentParents, callDecider, criticisedNode } from "../lookup.js";
import { type LocalSignal, negativeVerdict, type SignalKind, toolErrorIn } from "../signals.js";
import { isPlanVerdict, releasedVerdicts } from "../symptoms.js";
import type { IdgNode } from "../types.js";
import { earliestDropper, MISSING_RE, missingValues } from "./dropped-values.js";
import { introducesValue, namedOrigin } from "./origins.js";

/**
 * Tool errors, verdicts and each agent item's own signals (hedges, complaints, stalls, failed
 * actions), each blamed on the item it is evidence against.
 */
export const localSignalsPass: BlamePass = (ctx, state) => {
  const released = releasedVerdicts(ctx.idg);
  for (const node of ctx.idg.nodes) {
    if (node.index > ctx.symptomNode.index) break;
    if (node.role === "tool") {
      const err = toolErrorIn(node, ctx.input.source === "run");
      if (err) {
        const decider = callDecider(ctx.idg, node);
        const how = decider?.item.kind === "plan" ? ", a call the plan specified as it ran" : "";
        state.blame(decider, "tool_error", `${err} (step ${node.step}${how})`, node);
      }
      continue;
    }
    if (node.role === "verdict") {
      const verdict = released.has(node.id) ? null : negativeVerdict(node);
      if (verdict)
        rejectVerdict(ctx, state, node, isPlanVerdict(node) ? "blocked" : "verifier_rejection", verdict);
      continue;
    }
    if (node.role !== "agent") continue;
    for (const local of ctx.signalsAt.get(node.index) ?? []) blameLocal(ctx, state, node, local);
    if (node.item.kind === "verification") {
      const verdict = released.has(node.id) ? null : negativeVerdict(node);
      if (verdict) rejectVerdict(ctx, state, node, "verifier_rejection", verdict);
    }
  }
};

/**
 * A complaint that names a value points at whoever introduced it (someone else); a hedge or a
 * failed action is the speaker's own unless the hedge only restates others' values.
 */
function blameLocal(ctx: TraceContext, state: BlameState, node: IdgNode, local: LocalSignal): void {
  const own = local.kind === "hedged_claim" || local.kind === "failed_action";
  const named =
    local.kind === "failed_action" ||
    (local.kind === "hedged_claim" && introducesValue(node, local.context, ctx.firstSeen, ctx.given))
      ? null
      : namedOrigin(ctx.idg, node, local.context, ctx.firstSeen, ctx.given, !own);
  if (named) {
    state.blame(
      named.node,
      local.kind,
      `${node.agent} ${local.detail} about "${named.value}", first introduced here`,
      node,
    );
  } else if (own) {
    state.blame(node, local.kind, local.detail, undefined, local.context);
  } else {
    state.blame(criticisedNode(ctx.idg, node), local.kind, `${node.agent} ${local.detail}`, node);
  }
}

/**
 * A rejection that names a wrong value blames where the value came from; a block, or a rejection
 * without one, blames what the verdict was about.
 */
function rejectVerdict(
  ctx: TraceContext,
  state: BlameState,
  node: IdgNode,
  kind: SignalKind,
  verdict: string,
): void {
  // "X is missing" and someone upstream was handed X: that agent is blamed (dropped value), not
  // the last item that inherited the gap.
  if (
    kind === "verifier_rejection" &&
    missingValues(verdict).some((v) => earliestDropper(ctx.idg, node, v, ctx.upstreamOf))
  )
    return;
  const named =
    // A value the verdict says is missing is not a wrong value: the dropped-value pass handles it.
    kind === "verifier_rejection"
      ? namedOrigin(ctx.idg, node, verdict.replace(MISSING_RE, ""), ctx.firstSeen, ctx.given, true)
      : null;
  if (named) {
    state.blame(
      named.node,
      kind,
      `${node.agent}: ${verdict} (names "${named.value}", first introduced here)`,
      node,
    );
    return;
  }
  for (const target of agentParents(ctx.idg, node))
    state.blame(target, kind, `${node.agent}: ${verdict}`, node);
}
