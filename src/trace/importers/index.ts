import { readFile } from "node:fs/promises";
import { UserInputError } from "../../core/index.js";
import type { TraceInput } from "../types.js";
import { parseRunFile } from "./runfile.js";
import { parseWhoAndWhen } from "./who-and-when.js";

export { parseRunFile } from "./runfile.js";
export * from "./who-and-when.js";

/** Picks the importer from the document's shape: our run files name their format. */
export function parseTraceDocument(raw: unknown, file: string, splitHint?: string): TraceInput {
  if (raw !== null && typeof raw === "object" && !Array.isArray(raw)) {
    const obj = raw as Record<string, unknown>;
    if ("format" in obj) return parseRunFile(raw, file);
    if ("history" in obj) return parseWhoAndWhen(raw, file, splitHint);
  }
  throw new UserInputError("not a run file or a Who&When record", {
    file,
    field: "(root)",
    hint: "pass a quorum run file (runs/<id>.json) or a Who&When record with a `history` array",
  });
}

export async function loadTraceFile(file: string, splitHint?: string): Promise<TraceInput> {
  let text: string;
  try {
    text = await readFile(file, "utf8");
  } catch (error) {
    throw new UserInputError(`cannot read ${file}`, { file, hint: "check the path", cause: error });
  }
  let raw: unknown;
  try {
    raw = JSON.parse(text);
  } catch (error) {
    throw new UserInputError(`not valid JSON: ${(error as Error).message}`, {
      file,
      field: "(root)",
      cause: error,
    });
  }
  return parseTraceDocument(raw, file, splitHint);
}
