import type { TraceView, ViewNode } from "../view.js";

const FILL: Record<NonNullable<ViewNode["mark"]> | "none", string> = {
  root: "#f8b4b4",
  chain: "#fde3a7",
  symptom: "#d8c8f0",
  candidate: "#eef2f7",
  none: "#ffffff",
};

function q(s: string): string {
  return `"${s.replace(/\\/g, "\\\\").replace(/"/g, '\\"').replace(/\n/g, "\\n")}"`;
}

/** Graphviz: exact edges solid, inferred edges dashed with their kind; root cause and chain coloured. */
export function toDot(view: TraceView): string {
  const lines = [
    "digraph idg {",
    "  rankdir=TB;",
    '  node [shape=box, style="rounded,filled", fontname="Helvetica", fontsize=10];',
  ];
  for (const n of view.nodes) {
    const label = `${n.id}\\nstep ${n.step} · ${n.agent}\\n${n.kind}${n.mark === "root" ? "\\nROOT CAUSE" : ""}`;
    const attrs = [`label="${label.replace(/"/g, '\\"')}"`, `fillcolor="${FILL[n.mark ?? "none"]}"`];
    if (n.mark === "symptom") attrs.push("peripheries=2");
    if (n.mark === "root") attrs.push("penwidth=2.5", 'color="#c0392b"');
    lines.push(`  ${q(n.id)} [${attrs.join(", ")}];`);
  }
  for (const e of view.edges) {
    const attrs: string[] = [];
    if (e.kind !== "derived")
      attrs.push("style=dashed", `label=${q(`${e.kind} ${e.confidence.toFixed(2)}`)}`, "fontsize=8");
    if (e.onChain) attrs.push('color="#e67e22"', "penwidth=2.5");
    lines.push(`  ${q(e.from)} -> ${q(e.to)}${attrs.length ? ` [${attrs.join(", ")}]` : ""};`);
  }
  lines.push("}");
  return `${lines.join("\n")}\n`;
}
