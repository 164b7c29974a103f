import type { TraceView } from "../view.js";

function safeId(id: string): string {
  return `n_${id.replace(/[^A-Za-z0-9_]/g, "_")}`;
}

function text(s: string): string {
  return s.replace(/["<>{}[\]()|#;]/g, " ").slice(0, 60);
}

/** Mermaid flowchart: exact edges solid, inferred dotted with their kind; root cause and chain styled. */
export function toMermaid(view: TraceView): string {
  const lines = ["flowchart TD"];
  for (const n of view.nodes) {
    const root = n.mark === "root" ? "<br/>ROOT CAUSE" : "";
    lines.push(
      `  ${safeId(n.id)}["${text(n.id)}<br/>step ${n.step} · ${text(n.agent)}<br/>${n.kind}${root}"]`,
    );
  }
  const chainLinks: number[] = [];
  view.edges.forEach((e, i) => {
    const arrow = e.kind === "derived" ? "-->" : `-.->|${e.kind} ${e.confidence.toFixed(2)}|`;
    lines.push(`  ${safeId(e.from)} ${arrow} ${safeId(e.to)}`);
    if (e.onChain) chainLinks.push(i);
  });
  if (chainLinks.length > 0)
    lines.push(`  linkStyle ${chainLinks.join(",")} stroke:#e67e22,stroke-width:3px`);
  lines.push("  classDef root fill:#f8b4b4,stroke:#c0392b,stroke-width:3px");
  lines.push("  classDef chain fill:#fde3a7,stroke:#e67e22");
  lines.push("  classDef symptom fill:#d8c8f0,stroke:#6c3483,stroke-width:2px");
  for (const mark of ["root", "chain", "symptom"] as const) {
    const ids = view.nodes.filter((n) => n.mark === mark).map((n) => safeId(n.id));
    if (ids.length > 0) lines.push(`  class ${ids.join(",")} ${mark}`);
  }
  return `${lines.join("\n")}\n`;
}
