import type { TraceView } from "../view.js";
import { toDot } from "./dot.js";
import { toHtml } from "./html.js";
import { toJson } from "./json.js";
import { toMermaid } from "./mermaid.js";
import { toText } from "./text.js";

export const TRACE_FORMATS = ["text", "json", "dot", "mermaid", "html"] as const;
export type TraceFormat = (typeof TRACE_FORMATS)[number];

export function exportTrace(view: TraceView, format: TraceFormat): string {
  switch (format) {
    case "text":
      return toText(view);
    case "json":
      return toJson(view);
    case "dot":
      return toDot(view);
    case "mermaid":
      return toMermaid(view);
    case "html":
      return toHtml(view);
  }
}

export { toDot, toHtml, toJson, toMermaid, toText };
