import type { InferredEdgeKind } from "./types.js";

/** A reusable value found in a node's text: the unit of inferred provenance. */
export interface Token {
  kind: InferredEdgeKind;
  /** Normalised form used as the index key (kind-prefixed so a number never matches an entity). */
  key: string;
  /** As written, for evidence. */
  raw: string;
  /** How telling a reuse of this token is, before rarity is taken into account. */
  weight: number;
}

const URL_RE = /\bhttps?:\/\/[^\s<>"'`)\]}]+/g;
const FILE_RE =
  /(?:^|[\s"'`(/\\])((?:[\w.-]+[/\\])*[\w-][\w.-]*\.(?:py|js|ts|tsx|json|jsonl|csv|tsv|xlsx?|docx?|pptx?|txt|md|pdf|html?|xml|ya?ml|png|jpe?g|gif|svg|mp3|mp4|wav|zip|sql|ipynb|sh|log|db))\b/gi;
const QUOTE_RE = /"([^"\n]{3,120})"|“([^”\n]{3,120})”|'([^'\n]{3,80})'|`([^`\n]{3,120})`/g;
const NUMBER_RE = /(?<![\w.])[-+]?(?:\d{1,3}(?:,\d{3})+|\d+)(?:\.\d+)?%?(?![\w])/g;
const CALL_RE = /\b([A-Za-z_][A-Za-z0-9_]*(?:\.[A-Za-z_][A-Za-z0-9_]*)*)\s*\(/g;
const SNAKE_RE = /\b([a-z][a-z0-9]*(?:_[a-z0-9]+)+)\b/g;
const CAMEL_RE = /\b([a-z]+[A-Z][A-Za-z0-9]+)\b/g;
const ENTITY_RE =
  /\b([A-Z][\w'’.-]*[a-z][\w'’-]*(?:\s+(?:of|the|de|la|von|van|and|&|for|in)?\s*[A-Z][\w'’.-]*[a-z0-9][\w'’-]*)+)\b/g;

const QUOTE_CHAR_RE = /["“'`]/;
const CAPITAL_RE = /[A-Z]/;

/** Words too common in code to say anything about where a value came from. */
const COMMON_IDENTIFIERS = new Set([
  "print",
  "range",
  "len",
  "str",
  "int",
  "float",
  "list",
  "dict",
  "open",
  "format",
  "append",
  "get",
  "set",
  "type",
  "main",
  "if",
  "for",
  "while",
  "return",
  "and",
  "or",
  "not",
  "in",
  "e.g",
  "i.e",
]);

const ENTITY_STOP = new Set([
  "The",
  "This",
  "That",
  "These",
  "Those",
  "Here",
  "There",
  "It",
  "We",
  "I",
  "Let",
  "Step",
]);

/**
 * Pulls the reusable values out of a text, in the order of the kinds' reliability. Each token is
 * reported once per text. Linear in the text length.
 */
export function extractTokens(text: string, ignore: ReadonlySet<string> = new Set()): Token[] {
  const out = new Map<string, Token>();
  const add = (kind: InferredEdgeKind, raw: string, norm: string, weight: number): void => {
    if (norm.length === 0 || ignore.has(norm)) return;
    const key = `${kind}:${norm}`;
    if (!out.has(key)) out.set(key, { kind, key, raw, weight });
  };
  // Each pattern needs a character most texts lack ("http", a dot, a quote, a bracket, an
  // underscore, a capital): a pattern whose character is absent is not run at all.
  let rest = text;
  if (text.includes("http")) {
    for (const m of text.matchAll(URL_RE)) {
      const url = m[0].replace(/[.,;:!?]+$/, "");
      add("url", url, url.toLowerCase().replace(/\/+$/, ""), 0.95);
    }
    // URLs are consumed so their digits and path pieces do not reappear as numbers or files.
    rest = rest.replace(URL_RE, " ");
  }
  if (rest.includes(".")) {
    for (const m of rest.matchAll(FILE_RE)) {
      const file = m[1] ?? "";
      const base = file.split(/[/\\]/).pop() ?? file;
      add("file", file, base.toLowerCase(), 0.85);
    }
    // File names are consumed too, so "sales_2023.csv" does not also count as an identifier and a year.
    rest = rest.replace(FILE_RE, (m, f: string) => m.slice(0, m.length - f.length));
  }
  if (QUOTE_CHAR_RE.test(rest)) {
    for (const m of rest.matchAll(QUOTE_RE)) {
      // A quoted string followed by a colon is a key of structured output, not a quoted value.
      if (/^\s*:/.test(rest.slice((m.index ?? 0) + m[0].length, (m.index ?? 0) + m[0].length + 3))) continue;
      const q = (m[1] ?? m[2] ?? m[3] ?? m[4] ?? "").trim();
      if (q.length < 3 || !/[A-Za-z0-9]/.test(q)) continue;
      add("quote", q, q.toLowerCase().replace(/\s+/g, " "), 0.8);
    }
  }
  for (const m of rest.matchAll(NUMBER_RE)) {
    const raw = m[0];
    const norm = raw.replace(/^\+/, "").replace(/,/g, "");
    const digits = norm.replace(/[^0-9]/g, "");
    // Small integers recur everywhere (list markers, counts); they get little weight.
    const weight = norm.includes(".") ? 0.75 : digits.length >= 4 ? 0.7 : digits.length === 3 ? 0.5 : 0.2;
    add("number", raw, norm, weight);
  }
  if (rest.includes("(")) {
    for (const m of rest.matchAll(CALL_RE)) {
      const id = m[1] ?? "";
      if (COMMON_IDENTIFIERS.has(id) || id.length < 3) continue;
      add("identifier", id, id, 0.6);
    }
  }
  const capital = CAPITAL_RE.test(rest);
  for (const [re, present] of [
    [SNAKE_RE, rest.includes("_")],
    [CAMEL_RE, capital],
  ] as const) {
    if (!present) continue;
    for (const m of rest.matchAll(re)) {
      const id = m[1] ?? "";
      if (COMMON_IDENTIFIERS.has(id)) continue;
      add("identifier", id, id, 0.55);
    }
  }
  if (capital) {
    for (const m of rest.matchAll(ENTITY_RE)) {
      const words = (m[1] ?? "").split(/\s+/);
      while (words.length > 0 && ENTITY_STOP.has(words[0] ?? "")) words.shift();
      if (words.length < 2) continue;
      const name = words.join(" ");
      add("entity", name, name.toLowerCase(), 0.6);
    }
  }
  return [...out.values()];
}

/**
 * A piece of text, lower case, that every text holding a token with this key contains (compared
 * without regard to case), for skipping texts cheaply before tokenising them. A number: the last
 * three digits of its whole part and what follows (thousands separators never split those). A
 * quote or a name: its longest run of ASCII letters and digits (spacing may differ, and a file name
 * inside a quote is cut out of it). A URL, file or identifier: the key itself, as written. An empty
 * needle means no such piece is known.
 */
export function tokenNeedle(key: string): string {
  const colon = key.indexOf(":");
  const kind = key.slice(0, colon);
  const norm = key.slice(colon + 1).toLowerCase();
  if (kind === "number") {
    const m = /^-?(\d+)(.*)$/.exec(norm);
    return m ? (m[1] as string).slice(-3) + (m[2] as string) : "";
  }
  if (kind === "quote" || kind === "entity")
    return (norm.match(/[a-z0-9]+/g) ?? []).reduce((a, b) => (b.length > a.length ? b : a), "");
  return norm;
}

export function normaliseAnswer(text: string): string {
  return text
    .toLowerCase()
    .replace(/[*_`"'“”‘’]/g, "")
    .replace(/[^\p{L}\p{N}.%$ -]+/gu, " ")
    .replace(/\s+/g, " ")
    .replace(/[. ]+$/, "")
    .trim();
}
