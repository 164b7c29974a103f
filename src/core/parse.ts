import { parse as parseYaml, YAMLParseError } from "yaml";
import { UserInputError } from "./errors.js";

/** Line (1-based) of a character offset. */
function lineAt(text: string, offset: number): number {
  let line = 1;
  for (let i = 0; i < offset && i < text.length; i++) if (text.charCodeAt(i) === 10) line += 1;
  return line;
}

/**
 * Parses JSON or YAML from a user's file. A syntax error becomes one line naming the file and the
 * line, never the parser's multi-line excerpt; YAML warnings are not printed.
 */
export function parseDocument(text: string, file: string, kind: "json" | "yaml"): unknown {
  try {
    return kind === "json" ? JSON.parse(text) : parseYaml(text, { logLevel: "error" });
  } catch (error) {
    let line: number | undefined;
    let reason = error instanceof Error ? error.message : String(error);
    if (error instanceof YAMLParseError) {
      line = error.linePos?.[0]?.line;
      reason = reason.split(" at line ")[0] ?? reason;
    } else {
      const position = /position (\d+)/.exec(reason);
      if (position) line = lineAt(text, Number(position[1]));
    }
    const first = (reason.split("\n")[0] ?? "").trim();
    throw new UserInputError(`not valid ${kind === "json" ? "JSON" : "YAML"}: ${first}`, {
      file,
      field: line !== undefined ? `line ${line}` : "(root)",
      hint: kind === "json" ? "check brackets, commas and quotes" : "check indentation and quoting",
      cause: error,
    });
  }
}
