import type { TraceView } from "../view.js";

/** The whole view as JSON (format `quorum.trace`, version 1). */
export function toJson(view: TraceView): string {
  return `${JSON.stringify(view, null, 2)}\n`;
}
