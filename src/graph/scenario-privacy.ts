import { EVERYONE, isPrivate } from "../core/index.js";
import { detect, type ItemProfile, profileItem } from "../guards/privacy/detector.js";
import { LeakMessageGuard, type ProtectedItem, stringLeaves } from "../guards/privacy/message-guard.js";
import type { Guards, ToolCallGuard, ToolCallGuardInput, Verdict } from "../guards/types.js";
import type { Scenario } from "./scenario.js";

/**
 * A scenario's private value, to be kept inside its audience (and looked for by `quorum audit`).
 * `allowed` is who may see it (its declared audience); null when unknown (a value given on the
 * command line), in which case any agent but the one that produced it counts as outside.
 */
export interface Canary {
  /** Where it was declared, e.g. `memory:review-notes` or `tool:hr_record.salary`; never the value. */
  id: string;
  value: string;
  allowed: string[] | null;
}

/** Shorter leaves (a "yes", a small number) would match by accident everywhere. */
const MIN_LENGTH = 6;

/** Values matching this are canaries wherever they appear, even when no one declared them. */
export const CANARY_PATTERN = /\bCANARY-[A-Za-z0-9][A-Za-z0-9-]{2,}/g;

function leaves(value: unknown, path: string, out: Array<{ path: string; text: string }>): void {
  if (typeof value === "string") out.push({ path, text: value });
  else if (typeof value === "number" && Number.isFinite(value)) out.push({ path, text: String(value) });
  else if (Array.isArray(value)) {
    for (const [i, v] of value.entries()) leaves(v, `${path}.${i}`, out);
  } else if (value !== null && typeof value === "object")
    for (const [k, v] of Object.entries(value)) leaves(v, path ? `${path}.${k}` : k, out);
}

/**
 * The canaries a scenario carries: every value of a private or sensitive memory entry (allowed:
 * its audience and owner) and of a private or sensitive tool's results (allowed: the agents that
 * hold the tool, since a result goes to its caller only).
 */
export function scenarioCanaries(s: Scenario): Canary[] {
  const out: Canary[] = [];
  const add = (id: string, value: unknown, allowed: string[] | null) => {
    const found: Array<{ path: string; text: string }> = [];
    leaves(value, "", found);
    for (const leaf of found) {
      if (leaf.text.trim().length < MIN_LENGTH) continue;
      if (out.some((c) => c.value === leaf.text)) continue;
      out.push({ id: leaf.path ? `${id}.${leaf.path}` : id, value: leaf.text, allowed });
    }
  };
  for (const m of s.memory) {
    if (!isPrivate(m.sensitivity) || m.audience.includes(EVERYONE)) continue;
    add(`memory:${m.key}`, m.value, [...new Set([m.owner, ...m.audience])]);
  }
  for (const t of s.tools) {
    if (!isPrivate(t.sensitivity)) continue;
    const holders = s.agents.filter((a) => a.tools.includes(t.name)).map((a) => a.name);
    t.results.forEach((r, i) => {
      add(`tool:${t.name}${t.results.length > 1 ? `#${i}` : ""}`, r.value, holders);
    });
  }
  return out;
}

/**
 * Blocks a call to a tool that sends outside (declared sinks or effects) when its arguments carry
 * a canary, verbatim or by the leak detector's identifying facts. Verdicts name the canary, never
 * its value.
 */
export class CanarySinkGuard implements ToolCallGuard {
  readonly name = "canary-sink";
  private readonly profiles: Array<{ canary: Canary; profile: ItemProfile }>;

  constructor(
    canaries: ReadonlyArray<Canary>,
    private readonly outside: ReadonlySet<string>,
    publicText = "",
  ) {
    this.profiles = canaries.map((canary) => ({
      canary,
      profile: profileItem({ id: canary.id, value: canary.value, publicText, exact: true }),
    }));
  }

  checkToolCall(input: ToolCallGuardInput): Verdict {
    const base = { guard: this.name, hook: "tool_call" as const };
    if (!this.outside.has(input.tool)) {
      return { ...base, decision: "allow", flagged: false, rationale: `${input.tool} does not send outside` };
    }
    const texts = stringLeaves(input.args).map((l) => l.text);
    const hits = this.profiles.filter(({ profile }) =>
      texts.some((t) => {
        const d = detect(profile, t);
        return d.facts.length > 0 || d.verbatim;
      }),
    );
    if (hits.length === 0) {
      return { ...base, decision: "allow", flagged: false, rationale: "no private value in the arguments" };
    }
    return {
      ...base,
      decision: "block",
      flagged: true,
      riskType: "sensitive data privacy violations",
      rationale: `arguments to ${input.tool} (sends outside) carry private ${hits.map((h) => h.canary.id).join(", ")}`,
    };
  }
}

/**
 * The guards a canary run turns on: the leak detector as a message guard over every canary, for
 * every sender (a value may travel through any agent), redacting what identifies it; and the sink
 * guard on every tool that sends outside.
 */
export function canaryGuards(s: Scenario, canaries: ReadonlyArray<Canary> = scenarioCanaries(s)): Guards {
  const items: ProtectedItem[] = [];
  for (const agent of s.agents) {
    for (const c of canaries)
      items.push({ id: c.id, owner: agent.name, value: c.value, key: c.id, exact: true });
  }
  const outside = new Set(
    s.tools
      .filter(
        (t) => t.sinks.length > 0 || t.effects.includes("sends_outside") || t.effects.includes("moves_money"),
      )
      .map((t) => t.name),
  );
  return {
    message: [new LeakMessageGuard({ name: "canary-leak", mode: "redact", items, publicText: s.task })],
    toolCall: [new CanarySinkGuard(canaries, outside, s.task)],
  };
}
