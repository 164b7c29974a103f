import type { IdgNode } from "./types.js";

/**
 * An orchestrator's progress ledger, read by shape: a JSON object whose keys say whether the
 * request is satisfied, whether the team is in a loop, whether progress is being made, who speaks
 * next and what they are asked (`{"is_progress_being_made": {"answer": false, ...}, ...}`).
 */
export interface Ledger {
  satisfied: boolean | null;
  loop: boolean | null;
  progress: boolean | null;
  nextSpeaker: string | null;
  instruction: string | null;
}

// Cheap test before any parsing: most items are not ledgers.
const LEDGER_HINT_RE = /"[a-z_]*progress[a-z_]*"\s*:/i;

export function readLedger(text: string): Ledger | null {
  if (!LEDGER_HINT_RE.test(text)) return null;
  const start = text.indexOf("{");
  const end = text.lastIndexOf("}");
  if (start < 0 || end <= start) return null;
  let parsed: unknown;
  try {
    parsed = JSON.parse(text.slice(start, end + 1));
  } catch {
    return null;
  }
  if (parsed === null || typeof parsed !== "object" || Array.isArray(parsed)) return null;
  const fields = Object.entries(parsed as Record<string, unknown>);
  const field = (re: RegExp): unknown => fields.find(([k]) => re.test(k))?.[1];
  return {
    satisfied: flag(field(/satisf|complete/i)),
    loop: flag(field(/loop/i)),
    progress: flag(field(/progress/i)),
    nextSpeaker: words(field(/speaker/i)),
    instruction: words(field(/instruction|question/i)),
  };
}

/** A field is either the value or `{reason, answer}`. */
function answerOf(v: unknown): unknown {
  return v !== null && typeof v === "object" && "answer" in v ? (v as { answer: unknown }).answer : v;
}

function flag(v: unknown): boolean | null {
  const a = answerOf(v);
  if (typeof a === "boolean") return a;
  if (typeof a === "string" && /^(true|yes)$/i.test(a.trim())) return true;
  if (typeof a === "string" && /^(false|no)$/i.test(a.trim())) return false;
  return null;
}

function words(v: unknown): string | null {
  const a = answerOf(v);
  return typeof a === "string" && a.trim() !== "" ? a.trim() : null;
}

// Where a browsing or file agent's report of what it saw begins: a screenshot, extracted
// metadata, OCR text or a page listing. What comes before is the agent's own account of its action.
const OBSERVATION_RE =
  /\n\s*(?:here is a screenshot|the following metadata was extracted|automatic ocr|the viewport shows|the (?:web )?page (?:contains|shows|says)|here is the (?:content|text))/i;

/** The agent's own words: its whole text, less a report of what it saw. */
export function ownWords(node: IdgNode): string {
  const m = OBSERVATION_RE.exec(node.text);
  return m ? node.text.slice(0, m.index) : node.text;
}

/** True when the item reports an observation (a page, a screenshot, a file) besides its own words. */
export function reportsObservation(node: IdgNode): boolean {
  return OBSERVATION_RE.test(node.text);
}

const URL_RE = /https?:\/\/[^\s)\]"'>]+/i;
// A markdown link's target: a page title may itself contain a URL (a search for one), its target is the page.
const LINK_TARGET_RE = /\]\((https?:\/\/[^\s)]+)\)/i;

/**
 * The page an action left the agent on: the target of the first link of its observation (else its
 * first URL), without fragment or trailing slash.
 */
export function pageOf(node: IdgNode): string | null {
  const m = OBSERVATION_RE.exec(node.text);
  if (!m) return null;
  const seen = node.text.slice(m.index);
  const url = LINK_TARGET_RE.exec(seen)?.[1] ?? URL_RE.exec(seen)?.[0];
  return url ? url.replace(/#.*$/, "").replace(/\/+$/, "").toLowerCase() : null;
}
