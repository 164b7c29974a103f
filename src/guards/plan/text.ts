/** Words of a name or text: `AugustSmartLockGrantGuestAccess` -> august smart lock grant guest access. */
export function tokens(text: string): string[] {
  // ASCII text (nearly all of it) is cut in one pass; the general form handles the rest.
  if (!isAscii(text)) return tokensOf(text);
  const out: string[] = [];
  someAsciiWord(text, (word) => {
    out.push(word);
    return false;
  });
  return out;
}

/** Whether a word of the text (as `tokens` cuts it) has its stem in the set; no word list is built. */
export function hasStemIn(text: string, stems: ReadonlySet<string>): boolean {
  if (!isAscii(text)) return tokensOf(text).some((t) => stems.has(stem(t)));
  return someAsciiWord(text, (word) => stems.has(stem(word)));
}

function isAscii(text: string): boolean {
  for (let i = 0; i < text.length; i++) if (text.charCodeAt(i) > 0x7f) return false;
  return true;
}

/**
 * Visits the lower-case words of ASCII text in order, cut as `tokensOf` cuts them, until `visit`
 * returns true (and then returns true).
 */
function someAsciiWord(text: string, visit: (word: string) => boolean): boolean {
  let start = -1;
  for (let i = 0; i < text.length; i++) {
    const c = text.charCodeAt(i);
    if (!isAlnum(c)) {
      if (start >= 0 && visit(text.slice(start, i).toLowerCase())) return true;
      start = -1;
    } else if (start < 0) {
      start = i;
    } else if (isUpper(c) && startsWord(text.charCodeAt(i - 1), text.charCodeAt(i + 1))) {
      if (visit(text.slice(start, i).toLowerCase())) return true;
      start = i;
    }
  }
  return start >= 0 && visit(text.slice(start).toLowerCase());
}

/**
 * The general form, for any text: a word starts at a capital after a small letter or digit
 * (`smartLock`), and at the last capital of a run followed by a small letter (`HTMLParser`).
 */
function tokensOf(text: string): string[] {
  return text
    .replace(/([a-z0-9])([A-Z])/g, "$1 $2")
    .replace(/([A-Z]+)([A-Z][a-z])/g, "$1 $2")
    .toLowerCase()
    .split(/[^a-z0-9]+/)
    .filter((t) => t !== "");
}

/** Whether a capital letter between `before` and `after` (char codes) starts a word, as in `tokensOf`. */
function startsWord(before: number, after: number): boolean {
  return isLower(before) || isDigit(before) || (isUpper(before) && isLower(after));
}

function isUpper(c: number): boolean {
  return c >= 65 && c <= 90;
}

function isLower(c: number): boolean {
  return c >= 97 && c <= 122;
}

function isDigit(c: number): boolean {
  return c >= 48 && c <= 57;
}

function isAlnum(c: number): boolean {
  return isLower(c) || isUpper(c) || isDigit(c);
}

/**
 * A crude stem, enough to match `deleting`, `deletion` and `delete`, or `wiping` and `wipe`. Kept
 * crude on purpose: a plan check runs in microseconds and its word lists are written in stems.
 */
export function stem(word: string): string {
  const hit = stems.get(word);
  if (hit !== undefined) return hit;
  const out = computeStem(word);
  if (stems.size > 50_000) stems.clear();
  stems.set(word, out);
  return out;
}

// Plans reuse a small vocabulary; memoising keeps a check in the microseconds and spares the GC.
const stems = new Map<string, string>();

function computeStem(word: string): string {
  let w = word.toLowerCase();
  if (w.length > 5 && w.endsWith("ing")) w = w.slice(0, -3);
  else if (w.length > 5 && w.endsWith("ion")) w = w.slice(0, -3);
  else if (w.length > 4 && w.endsWith("ed")) w = w.slice(0, -2);
  else if (w.length > 3 && w.endsWith("s") && !w.endsWith("ss")) w = w.slice(0, -1);
  if (w.length > 3 && w.endsWith("e")) w = w.slice(0, -1);
  return w;
}

/** Sentences and clauses of a text, for finding instructions inside tool output. */
export function sentences(text: string): string[] {
  return text
    .split(/(?<=[.!?])\s+|;\s*|\n+|\\n|['"],\s*['"]|['"]\s*:\s*['"]/)
    .map((s) => s.trim())
    .filter((s) => s.length > 0);
}
