import type { IdgNode } from "./types.js";

/** Local evidence that something went wrong at (or right after) a node. */
export const SIGNAL_KINDS = [
  "tool_error",
  "verifier_rejection",
  "blocked",
  "contradicts_ground_truth",
  "wrong_value_origin",
  "unsupported_claim",
  "hedged_claim",
  "stall",
  "failed_action",
  "dropped_value",
  "claim_origin",
  "first_stall",
  "premature_conclusion",
  "model_judgement",
] as const;
export type SignalKind = (typeof SIGNAL_KINDS)[number];

/** Relative weight of each signal in the root-cause score; documented in the README. */
export const SIGNAL_WEIGHTS: Record<SignalKind, number> = {
  tool_error: 2.0,
  verifier_rejection: 2.0,
  blocked: 2.5,
  contradicts_ground_truth: 2.5,
  wrong_value_origin: 1.5,
  unsupported_claim: 0.5,
  hedged_claim: 1.0,
  stall: 1.5,
  failed_action: 1.5,
  dropped_value: 2.0,
  // Read from an orchestrator's own account of the run (its ledger): who was asked to do what,
  // whether it worked, and when it declared the request satisfied.
  claim_origin: 4.0,
  first_stall: 4.0,
  premature_conclusion: 4.0,
  // A model's verdict (`--method model`): reported as its reason, never mixed into the IDG's scores.
  model_judgement: 0,
};

/** Signals read from the log's own account of itself; they decide the agent ranking when present. */
export const ACCOUNT_SIGNALS: ReadonlySet<SignalKind> = new Set<SignalKind>([
  "claim_origin",
  "first_stall",
  "premature_conclusion",
]);

const TOOL_ERROR_RE =
  /traceback \(most recent call last\)|exit ?code:\s*[1-9]|execution failed|\b\w*(?:error|exception)\b:|no such file|command not found|status(?: code)?:? [45]\d\d\b|timed? ?out\b/i;
const REJECTION_RE =
  /\b(?:is (?:incorrect|wrong|not correct|inaccurate)|was (?:incorrect|wrong)|incorrect(?:ly)?|inaccurate|(?:a|the) mistake|does(?:n't| not) match|inconsistent|contradict\w*|not (?:verified|supported|accurate)|rejected?)\b/i;
const HEDGE_RE =
  /\b(?:assum(?:e|es|ed|ing|ption)|hypothetical(?:ly)?|placeholder|dummy|mock(?:ed)?|simulat(?:e|ed|ing)|for (?:the sake of )?(?:example|illustration)|let'?s say|suppose|pretend|sample data|made[- ]up|fictional|approximat(?:e|ely|ion)|(?:without|no) (?:direct )?access)\b/i;
const STALL_RE =
  /\b(?:in a loop|stuck|no (?:new )?progress|not (?:yet )?(?:making|made|been made) progress|repeat(?:ed|ing)? (?:the same|itself)|same (?:page|result|output) (?:again|as before)|not (?:found|available|accessible))\b/i;
// An agent saying it could not do its own action: the failure is its own, not the previous turn's.
const FAILED_RE =
  /\b(?:I|we)(?:'ve| have| was| were| am| are)?\b[^.\n]{0,40}?\b(?:unable to|could(?:n't| not)|can(?:'t|not)|failed to|was not able to|were not able to) (?:find|locate|access|retrieve|open|load|extract|download|fetch|reach|verify)\b/i;

export interface LocalSignal {
  kind: SignalKind;
  detail: string;
  /** Text around the signal: what the complaint or hedge is about. */
  context: string;
}

/**
 * Error text in a tool result: a crash, a non-zero exit, an HTTP failure. In our own runs the
 * runtime labels failed calls, so only the label counts there: a result that merely mentions a
 * timeout (say, a log line) is data, not a failure.
 */
export function toolErrorIn(node: IdgNode, exact = false): string | null {
  if (node.item.labels.includes("error")) return "tool reported an error";
  if (exact) return null;
  const m = TOOL_ERROR_RE.exec(agentWords(node.text));
  return m ? `tool output shows "${m[0].trim()}"` : null;
}

export function rejectionIn(node: IdgNode): string | null {
  const m = affirmed(REJECTION_RE, node.text);
  return m ? `says "${m.match}"` : null;
}

export function hedgeIn(node: IdgNode): string | null {
  const m = affirmed(HEDGE_RE, node.text);
  return m ? `relies on "${m.match}"` : null;
}

const NO_SIGNALS: readonly LocalSignal[] = Object.freeze([]);

/** Hedges, complaints and stalls in an agent's own words, each with the text around it. */
export function localSignalsOf(node: IdgNode, includeRejection: boolean): readonly LocalSignal[] {
  // One scan rules out the common case, an item with none of the phrases, before the detailed ones.
  if (!(includeRejection ? ANY_SIGNAL_OR_REJECTION_RE : ANY_SIGNAL_RE).test(node.text)) return NO_SIGNALS;
  const out: LocalSignal[] = [];
  const hedge = affirmed(HEDGE_RE, node.text);
  if (hedge) out.push({ kind: "hedged_claim", detail: `relies on "${hedge.match}"`, context: hedge.context });
  if (includeRejection) {
    const rej = affirmed(REJECTION_RE, node.text);
    if (rej) out.push({ kind: "verifier_rejection", detail: `says "${rej.match}"`, context: rej.context });
  }
  const flag = PROGRESS_FALSE_RE.exec(node.text) ?? LOOP_TRUE_RE.exec(node.text);
  if (flag) {
    const detail = PROGRESS_FALSE_RE.test(node.text) ? "marks progress as false" : "marks the run as looping";
    out.push({ kind: "stall", detail, context: node.text.slice(flag.index, flag.index + 400) });
  } else {
    const stall = affirmed(STALL_RE, node.text);
    if (stall) out.push({ kind: "stall", detail: `reports "${stall.match}"`, context: stall.context });
  }
  const failed = affirmed(FAILED_RE, node.text);
  if (failed) out.push({ kind: "failed_action", detail: `says "${failed.match}"`, context: failed.context });
  return out;
}

// Structured self-assessments (a controller's ledger): a "progress" flag set false or a "loop"
// flag set true, either directly or as the boolean inside a {reason, answer}-style object.
const PROGRESS_FALSE_RE = /"[\w -]*progress[\w -]*"\s*:\s*(?:false\b|\{[^{}]*?:\s*false\s*[,}])/i;
const LOOP_TRUE_RE = /"[\w -]*loop[\w -]*"\s*:\s*(?:true\b|\{[^{}]*?:\s*true\s*[,}])/i;

const ANY_SIGNAL_RE = anyOf([HEDGE_RE, STALL_RE, FAILED_RE, PROGRESS_FALSE_RE, LOOP_TRUE_RE]);
const ANY_SIGNAL_OR_REJECTION_RE = anyOf([
  HEDGE_RE,
  STALL_RE,
  FAILED_RE,
  PROGRESS_FALSE_RE,
  LOOP_TRUE_RE,
  REJECTION_RE,
]);

/** One case-insensitive pattern that matches wherever any of the given ones does. */
function anyOf(patterns: RegExp[]): RegExp {
  return new RegExp(patterns.map((p) => `(?:${p.source})`).join("|"), "i");
}

export function stallIn(node: IdgNode): string | null {
  if (PROGRESS_FALSE_RE.test(node.text)) return "marks progress as false";
  if (LOOP_TRUE_RE.test(node.text)) return "marks the run as looping";
  const m = affirmed(STALL_RE, node.text);
  return m ? `reports "${m.match}"` : null;
}

// Interpreter warnings printed into a transcript ("file.py:12: UserWarning: ...") and the source
// line echoed after them are the framework talking, not the agent.
const DIAGNOSTIC_RE = /^[^\n]*\.py:\d+: \w*Warning:[^\n]*(?:\n[ \t]+[^\n]*)?$/gm;

export function agentWords(text: string): string {
  return text.includes("Warning:") ? text.replace(DIAGNOSTIC_RE, "") : text;
}

const NEGATION_RE =
  /\b(?:not|no|never|without|nor|isn't|aren't|wasn't|weren't|don't|doesn't|didn't)\W+(?:\w+\W+){0,2}$/i;

const GLOBAL_FORMS = new Map<RegExp, RegExp>();

/** First match that is not negated just before it ("we are not in a loop" is no stall). */
function affirmed(re: RegExp, raw: string): { match: string; context: string } | null {
  if (!re.test(raw)) return null;
  const text = agentWords(raw);
  let global = GLOBAL_FORMS.get(re);
  if (!global) {
    global = new RegExp(re.source, re.flags.includes("g") ? re.flags : `${re.flags}g`);
    GLOBAL_FORMS.set(re, global);
  }
  for (const m of text.matchAll(global)) {
    const at = m.index ?? 0;
    const before = text.slice(Math.max(0, at - 30), at);
    if (NEGATION_RE.test(before)) continue;
    // The sentence the signal sits in, and a little after it.
    const start = Math.max(text.lastIndexOf("\n", at), text.lastIndexOf(". ", at), at - 200, 0);
    return { match: m[0], context: text.slice(start, at + 250) };
  }
  return null;
}

/** A verdict or verification item that says no. */
export function negativeVerdict(node: IdgNode): string | null {
  const c = node.item.content;
  if (c !== null && typeof c === "object" && !Array.isArray(c)) {
    const o = c as Record<string, unknown>;
    const decision = typeof o.decision === "string" ? o.decision : undefined;
    if (decision !== undefined && decision !== "allow") {
      const why = typeof o.rationale === "string" ? `: ${o.rationale}` : "";
      return `${decision}${why}`;
    }
    for (const key of ["pass", "ok", "passed", "valid", "approved", "correct"]) {
      if (o[key] === false) {
        const reasons = Array.isArray(o.reasons)
          ? o.reasons.filter((r): r is string => typeof r === "string")
          : [];
        const why =
          typeof o.reason === "string" ? `: ${o.reason}` : reasons.length ? `: ${reasons.join("; ")}` : "";
        return `${key}=false${why}`;
      }
    }
    const verdict =
      typeof o.verdict === "string" ? o.verdict : typeof o.status === "string" ? o.status : undefined;
    if (
      verdict !== undefined &&
      /^(fail|failed|reject|rejected|incorrect|wrong|block(ed)?)$/i.test(verdict)
    ) {
      return verdict;
    }
    return null;
  }
  if (node.item.kind === "verification" || node.item.kind === "verdict") return rejectionIn(node);
  return null;
}
