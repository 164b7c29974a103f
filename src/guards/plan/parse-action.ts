import { type Literal, parseKeywordArgs, parseLiteral } from "./literal.js";

/** One agent action read from a log line. */
export type ParsedAction =
  | { kind: "tool"; tool: string; args: Record<string, unknown> }
  /** A short free-form command (`delete <App>`, a shell block) that still acts on the world. */
  | { kind: "command"; tool: string; text: string }
  /** A reply to the user: not an action. */
  | { kind: "response"; text: string };

const NAME = String.raw`[A-Za-z_][\w.\-]*`;
// `Tool{...}`, `Tool: {...}`, `Tool\nAction Input: {...}`
const OBJECT_CALL = new RegExp(String.raw`^(${NAME})\s*(?:\n\s*Action Input:\s*|:\s*)?(\{[\s\S]*\})\s*$`);
// `tool(arg=...)`, `Tool()`
const PAREN_CALL = new RegExp(String.raw`^(${NAME})\s*\(([\s\S]*)\)\s*$`);
// `"command": {"name": ..., "args": {...}}}` (AutoGPT-style)
const COMMAND_CALL = /^"?command"?\s*:\s*(\{[\s\S]*\})\s*\}?\s*$/;
const FENCE = /```([\w+-]*)\s*\n([\s\S]*?)```/;

/**
 * Reads an action string in the shapes agent logs use. Anything that is not recognisably a tool
 * call is either a short command (kept as an action, since it may still delete or send something)
 * or a response to the user.
 */
export function parseAction(raw: string): ParsedAction | null {
  const text = raw.trim();
  if (text === "") return null;
  if (/^final answer\s*:/i.test(text))
    return { kind: "response", text: text.replace(/^final answer\s*:/i, "").trim() };

  const command = COMMAND_CALL.exec(text);
  if (command?.[1]) {
    const obj = tryLiteral(balanced(command[1]));
    if (obj && typeof obj === "object" && !Array.isArray(obj) && typeof obj.name === "string") {
      const args = obj.args;
      return { kind: "tool", tool: obj.name, args: isRecord(args) ? args : {} };
    }
  }

  // `{"Tool": {...}}`: a one-key object naming the tool.
  if (text.startsWith("{")) {
    const obj = tryLiteral(text);
    if (isRecord(obj)) {
      const keys = Object.keys(obj);
      const only = keys[0];
      if (keys.length === 1 && only !== undefined && /^[A-Za-z_][\w.-]*$/.test(only)) {
        const args = obj[only];
        return { kind: "tool", tool: only, args: isRecord(args) ? args : { input: args } };
      }
    }
  }

  const objectCall = OBJECT_CALL.exec(text);
  if (objectCall?.[1] && objectCall[2]) {
    const args = tryLiteral(objectCall[2]);
    if (isRecord(args)) return { kind: "tool", tool: objectCall[1], args };
    return { kind: "tool", tool: objectCall[1], args: { input: objectCall[2] } };
  }

  const parenCall = PAREN_CALL.exec(text);
  if (parenCall?.[1] && !text.includes("\n")) {
    const inner = parenCall[2] ?? "";
    if (inner.trim() === "") return { kind: "tool", tool: parenCall[1], args: {} };
    try {
      return { kind: "tool", tool: parenCall[1], args: parseKeywordArgs(inner) };
    } catch {
      return { kind: "tool", tool: parenCall[1], args: { input: inner } };
    }
  }

  const fence = FENCE.exec(text);
  if (fence) {
    const language = (fence[1] || "shell").toLowerCase();
    return { kind: "tool", tool: "execute_code", args: { language, code: (fence[2] ?? "").trim() } };
  }

  // A short single line reads as a command (`click <Sign Up>`, `delete <App>`); prose is a reply.
  if (!text.includes("\n") && text.length <= 120 && !/[.!?]\s+[A-Z]/.test(text) && !/[.!]$/.test(text)) {
    return { kind: "command", tool: "command", text };
  }
  return { kind: "response", text };
}

function tryLiteral(s: string): Literal | undefined {
  try {
    return parseLiteral(s);
  } catch {
    return undefined;
  }
}

/** The leading balanced `{...}` of a string (drops trailing closers some logs leave behind). */
function balanced(s: string): string {
  let depth = 0;
  let quote: string | null = null;
  for (let i = 0; i < s.length; i++) {
    const c = s[i];
    if (quote) {
      if (c === "\\") i += 1;
      else if (c === quote) quote = null;
      continue;
    }
    if (c === '"' || c === "'") quote = c;
    else if (c === "{") depth += 1;
    else if (c === "}") {
      depth -= 1;
      if (depth === 0) return s.slice(0, i + 1);
    }
  }
  return s;
}

function isRecord(v: unknown): v is Record<string, unknown> {
  return v !== null && typeof v === "object" && !Array.isArray(v);
}
