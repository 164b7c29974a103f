import { EVERYONE, type Item, type RunFile } from "../../core/index.js";
import { containsValue } from "../../guards/privacy/normalize.js";
import { CANARY_PATTERN, type Canary, masked } from "./canaries.js";

/** Every place a private value can end up after a run. */
export const CHANNELS = [
  "messages",
  "tool-arguments",
  "memory",
  "errors",
  "run-file",
  "trace-json",
  "trace-dot",
  "trace-mermaid",
  "trace-html",
  "logs",
] as const;
export type Channel = (typeof CHANNELS)[number];

export interface Finding {
  canary: string;
  /** Where: an item id, an agent, a line number; never the value. */
  where: string;
}

export interface ChannelReport {
  channel: Channel;
  /** False when there was nothing to check (no log file given). */
  checked: boolean;
  findings: Finding[];
}

export interface AuditReport {
  runId: string;
  /** The user opted in to keep private values in the run file. */
  includesPrivate: boolean;
  canaries: Array<{ id: string; masked: string; allowed: string[] | null }>;
  channels: ChannelReport[];
  clean: boolean;
}

/** What a scenario says about its tools, to tell outside sinks from internal lookups. */
export interface ToolInfo {
  name: string;
  outside: boolean;
}

export interface AuditInput {
  run: RunFile;
  /** The run file exactly as written on disk. */
  runFileText: string;
  canaries: ReadonlyArray<Canary>;
  /** Trace exports rendered from the run file, by format. */
  exports: Partial<Record<"json" | "dot" | "mermaid" | "html", string>>;
  /** Log lines (pino JSON or plain text), when a log file was given. */
  logText?: string;
  tools?: ReadonlyArray<ToolInfo>;
}

function textOf(v: unknown): string {
  if (typeof v === "string") return v;
  try {
    return JSON.stringify(v) ?? "";
  } catch {
    return String(v);
  }
}

/** The canaries present in a value, plus any CANARY-... token nobody declared. */
function found(canaries: ReadonlyArray<Canary>, text: string): string[] {
  // The same normalising matcher as the guards: spacing, case, digit words, encodings.
  const ids = canaries.filter((c) => text.includes(c.value) || containsValue(text, c.value)).map((c) => c.id);
  for (const m of text.match(CANARY_PATTERN) ?? []) {
    if (!canaries.some((c) => c.value === m || m.startsWith(c.value) || c.value.includes(m))) {
      ids.push(`undeclared ${masked(m)}`);
    }
  }
  return [...new Set(ids)];
}

function allowedFor(canaries: ReadonlyArray<Canary>, id: string): string[] | null {
  return canaries.find((c) => c.id === id)?.allowed ?? null;
}

function outsideAudience(allowed: string[] | null, agent: string, author: string): boolean {
  if (allowed === null) return agent !== author;
  return !(allowed.includes(EVERYONE) || allowed.includes(agent));
}

/** Line numbers (1-based) of a text where a canary occurs, for the report. */
function lines(text: string, canaries: ReadonlyArray<Canary>): Finding[] {
  const out: Finding[] = [];
  text.split("\n").forEach((line, i) => {
    for (const id of found(canaries, line)) out.push({ canary: id, where: `line ${i + 1}` });
  });
  return out;
}

/**
 * Looks for every canary in every channel of a finished run. A value inside its own audience is
 * not a leak (the owner may read its own memory); anywhere else, or in anything written to disk
 * while redaction is on, it is.
 */
export function auditRun(input: AuditInput): AuditReport {
  const { run, canaries } = input;
  const items = new Map<string, Item>(run.items.map((i) => [i.id, i]));
  const channel = (name: Channel, findings: Finding[], checked = true): ChannelReport => ({
    channel: name,
    checked,
    findings,
  });

  // Messages: any delivery (message, memory, tool result, context, summary) of an item carrying a
  // canary to an agent outside the canary's audience; and the final answer, which goes to the user.
  const messages: Finding[] = [];
  for (const e of run.events) {
    if (e.type !== "delivered") continue;
    const item = items.get(e.itemId);
    if (!item) continue;
    for (const id of found(canaries, textOf(item.content))) {
      if (outsideAudience(allowedFor(canaries, id), e.to, item.author))
        messages.push({
          canary: id,
          where: `${item.id} (${item.kind} by ${item.author}) to ${e.to} via ${e.via}`,
        });
    }
  }
  if (run.finalAnswer !== null) {
    for (const id of found(canaries, run.finalAnswer)) {
      if (outsideAudience(allowedFor(canaries, id), "user", ""))
        messages.push({ canary: id, where: "final answer to user" });
    }
  }

  // Tool arguments: a call whose arguments carry a canary to a tool that sends outside (or, when
  // the tools are unknown, to any tool).
  const outside = new Map((input.tools ?? []).map((t) => [t.name, t.outside]));
  const toolArgs: Finding[] = [];
  for (const item of run.items) {
    if (item.kind !== "tool_call") continue;
    const c = item.content as { tool?: unknown; args?: unknown } | null;
    const tool = typeof c?.tool === "string" ? c.tool : "?";
    if (outside.get(tool) === false) continue;
    for (const id of found(canaries, textOf(c?.args)))
      toolArgs.push({ canary: id, where: `${item.id}: ${item.author} calls ${tool}` });
  }

  // Memory: an entry carrying a canary that agents outside its audience may read.
  const memory: Finding[] = [];
  for (const item of run.items) {
    if (item.kind !== "memory_write") continue;
    for (const id of found(canaries, textOf(item.content))) {
      const allowed = allowedFor(canaries, id);
      const readers = item.audience.includes(EVERYONE) ? [EVERYONE] : item.audience;
      const wider = readers.filter((r) => r === EVERYONE || outsideAudience(allowed, r, item.author));
      if (wider.length > 0)
        memory.push({
          canary: id,
          where: `${item.id} (key ${(item.content as { key?: string }).key ?? "?"}) readable by ${wider.join(", ")}`,
        });
    }
  }

  // Errors: error events and the run's stated reason are shown to users and written to logs.
  const errors: Finding[] = [];
  for (const e of run.events) {
    if (e.type === "error")
      for (const id of found(canaries, e.message)) errors.push({ canary: id, where: `error event ${e.seq}` });
    if (e.type === "status" && e.reason)
      for (const id of found(canaries, e.reason)) errors.push({ canary: id, where: `status event ${e.seq}` });
  }
  if (run.reason)
    for (const id of found(canaries, run.reason)) errors.push({ canary: id, where: "run reason" });

  const reports: ChannelReport[] = [
    channel("messages", messages),
    channel("tool-arguments", toolArgs),
    channel("memory", memory),
    channel("errors", errors),
    channel("run-file", lines(input.runFileText, canaries)),
  ];
  for (const format of ["json", "dot", "mermaid", "html"] as const) {
    const text = input.exports[format];
    reports.push(
      channel(`trace-${format}`, text === undefined ? [] : lines(text, canaries), text !== undefined),
    );
  }
  reports.push(
    channel(
      "logs",
      input.logText === undefined ? [] : lines(input.logText, canaries),
      input.logText !== undefined,
    ),
  );
  return {
    runId: run.runId,
    includesPrivate: run.includesPrivate,
    canaries: canaries.map((c) => ({ id: c.id, masked: masked(c.value), allowed: c.allowed })),
    channels: reports,
    clean: reports.every((r) => r.findings.length === 0),
  };
}
