import type { TraceView } from "../view.js";

const MAX_REASONS = 6;

/** A terminal report: the root cause, why, the evidence chain, and what is not a cause. */
export function toText(view: TraceView, options: { candidates?: number } = {}): string {
  const r = view.report;
  const lines: string[] = [];
  const byId = new Map(view.nodes.map((n) => [n.id, n]));
  const label = (id: string): string => {
    const n = byId.get(id);
    return n ? `${id} (step ${n.step}, ${n.agent}, ${n.kind})` : id;
  };
  lines.push(
    `trace of ${view.origin || "run"} (${view.nodes.length} items, ${view.edges.length} edges, ${view.edgesInferred ? "edges inferred from reused values" : "exact provenance"})`,
  );
  if (r.symptom)
    lines.push(
      `symptom: ${r.symptom.kind.replace(/_/g, " ")} at ${label(r.symptom.itemId)}: ${r.symptom.detail}`,
    );
  else lines.push("symptom: none found (the run shows no failure to explain)");
  if (r.finalAnswerCorrect !== null)
    lines.push(`final answer matches the ground truth: ${r.finalAnswerCorrect ? "yes" : "no"}`);
  const root = r.rootCause;
  if (!root) {
    lines.push("root cause: none found");
    return `${lines.join("\n")}\n`;
  }
  lines.push("");
  lines.push(`root cause: ${label(root.itemId)}  [${root.status}]  score ${root.score}`);
  lines.push(`  agent: ${root.agent}   step: ${root.step}`);
  if (r.judgedBy)
    lines.push(
      `  judged by model ${r.judgedBy.model}: ${r.judgedBy.modelCalls} call(s), ${r.judgedBy.inputTokens} input + ${r.judgedBy.outputTokens} output tokens`,
    );
  if (root.claim) lines.push(`  claim or instruction: ${JSON.stringify(root.claim)}`);
  if (root.reasons.every((x) => x.signal === "position")) {
    lines.push("  (no local error signal found: ranked by position on the dependency paths only)");
  }
  for (const reason of root.reasons.slice(0, MAX_REASONS)) {
    lines.push(
      `  - ${reason.signal.replace(/_/g, " ")}: ${reason.detail}${reason.seenAt ? ` (seen at ${reason.seenAt})` : ""}`,
    );
  }
  if (root.replay)
    lines.push(
      `  replay: ${root.replay.fixed ? "failure goes away" : "failure remains"}: ${root.replay.detail}`,
    );
  lines.push(`  evidence chain: ${root.chain.map(label).join(" -> ")}`);
  const top = r.agents[0];
  if (top) {
    lines.push("");
    lines.push(`most responsible agent: ${top.agent}`);
    if (top.agent !== root.agent) {
      lines.push(
        `  (the decisive item is by ${root.agent}; ${top.agent} carries more of the failure across the run)`,
      );
    }
    const shares = r.agents.slice(0, 5).map((a) => `${a.agent} ${a.score}`);
    lines.push(`  responsibility by agent: ${shares.join(", ")}`);
  }
  const others = r.candidates.slice(1, 1 + (options.candidates ?? 4));
  if (others.length > 0) {
    lines.push("");
    lines.push("other candidates:");
    for (const c of others) {
      const why = c.reasons
        .filter((x) => x.signal !== "position")
        .map((x) => x.signal.replace(/_/g, " "))
        .join(", ");
      lines.push(`  ${label(c.itemId)}  score ${c.score}  [${c.status}]${why ? `  ${why}` : ""}`);
    }
  }
  if (r.notCauses.length > 0) {
    lines.push("");
    lines.push("symptoms that are not causes:");
    for (const n of r.notCauses.slice(0, 8)) lines.push(`  ${label(n.itemId)}: ${n.why}`);
  }
  return `${lines.join("\n")}\n`;
}
