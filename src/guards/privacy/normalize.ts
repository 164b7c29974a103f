/**
 * One normalising reader for every privacy matcher (leak detector, message and tool guards, the
 * audit): Unicode NFKC, zero-width characters dropped, Cyrillic and Greek look-alikes and
 * diacritics folded to Latin, runs of single spaced digits joined ("1 8 2 0 0 0"), and what looks
 * encoded (base64, hex, ROT13 of a capitalised word) decoded and appended. Every character of the
 * result knows where it came from in the input, so a match maps back to a span to redact whole.
 */

export interface Mapped {
  text: string;
  /** For each character of `text`, the index of the input character it comes from. */
  map: number[];
}

const ZERO_WIDTH = /[\u00ad\u180e\u200b-\u200f\u202a-\u202e\u2060-\u2064\ufeff]/;

/** Look-alikes that NFKC keeps apart from Latin letters. */
const HOMOGLYPHS: Record<string, string> = {
  а: "a",
  в: "b",
  е: "e",
  к: "k",
  м: "m",
  н: "h",
  о: "o",
  р: "p",
  с: "c",
  т: "t",
  у: "y",
  х: "x",
  і: "i",
  ј: "j",
  ѕ: "s",
  ԁ: "d",
  ɡ: "g",
  ո: "n",
  ս: "u",
  А: "A",
  В: "B",
  Е: "E",
  К: "K",
  М: "M",
  Н: "H",
  О: "O",
  Р: "P",
  С: "C",
  Т: "T",
  У: "Y",
  Х: "X",
  І: "I",
  Ј: "J",
  Ѕ: "S",
  α: "a",
  ο: "o",
  ρ: "p",
  ν: "v",
  τ: "t",
  ι: "i",
  κ: "k",
  Α: "A",
  Β: "B",
  Ε: "E",
  Ζ: "Z",
  Η: "H",
  Ι: "I",
  Κ: "K",
  Μ: "M",
  Ν: "N",
  Ο: "O",
  Ρ: "P",
  Τ: "T",
  Υ: "Y",
  Χ: "X",
};

/** Character by character, so every output character keeps its input index. */
function foldChars(input: string): Mapped {
  // Nearly all text is plain ASCII: nothing to fold then.
  if (!/[\u0080-\uffff]/.test(input)) return { text: input, map: Array.from(input, (_, i) => i) };
  let text = "";
  const map: number[] = [];
  let i = 0;
  for (const ch of input) {
    const at = i;
    i += ch.length;
    if (ZERO_WIDTH.test(ch)) continue;
    const folded = (HOMOGLYPHS[ch] ?? ch)
      .normalize("NFKC")
      .normalize("NFD")
      .replace(/[\u0300-\u036f]/g, "");
    const out = folded.length > 0 ? folded : ch;
    for (const c of out) {
      text += c;
      map.push(at);
    }
  }
  return { text, map };
}

/** "1 8 2 , 0 0 0" and "1-8-2-0-0-0" are one number: join runs of three or more single digits. */
function joinSpacedDigits(m: Mapped): Mapped {
  const runs = [...m.text.matchAll(/(?<![\w.,])\d(?:[ ,._·-]{1,3}\d(?![\d]))+(?![\w])/g)].filter(
    (r) => (r[0].match(/\d/g)?.length ?? 0) >= 3,
  );
  if (runs.length === 0) return m;
  let text = "";
  const map: number[] = [];
  let at = 0;
  for (const r of runs) {
    for (let k = at; k < r.index; k++) {
      text += m.text[k];
      map.push(m.map[k] as number);
    }
    for (let k = r.index; k < r.index + r[0].length; k++) {
      if (!/\d/.test(m.text[k] as string)) continue;
      text += m.text[k];
      map.push(m.map[k] as number);
    }
    at = r.index + r[0].length;
  }
  for (let k = at; k < m.text.length; k++) {
    text += m.text[k];
    map.push(m.map[k] as number);
  }
  return { text, map };
}

const PRINTABLE = /^[\x20-\x7e\n\t]+$/;

function fromBase64(token: string): string | null {
  if (token.length < 8 || token.length % 4 !== 0 || !/^[A-Za-z0-9+/]+={0,2}$/.test(token)) return null;
  // Plain words are valid base64 too: ask for the mix an encoding shows (a capital inside, or a
  // digit, a padding sign or a slash among letters).
  const mixed = /[A-Z]/.test(token.slice(1)) && /[a-z]/.test(token);
  if (!mixed && !(/[A-Za-z]/.test(token) && /\d|=$|[+/]/.test(token))) return null;
  const out = Buffer.from(token, "base64").toString("utf8");
  return out.length >= 3 && PRINTABLE.test(out) ? out : null;
}

function fromHex(token: string): string | null {
  const m = /^(?:0x)?([0-9a-fA-F]{5,})$/.exec(token);
  if (!m) return null;
  const hex = m[1] as string;
  const prefixed = token.startsWith("0x");
  // Text as hex bytes ("313832303030" is "182000"): every byte printable.
  if (!prefixed && hex.length % 2 === 0 && hex.length >= 8) {
    const bytes = Buffer.from(hex, "hex").toString("latin1");
    if (PRINTABLE.test(bytes)) return bytes;
  }
  // A number written in hex ("0x2c6f0"): with its prefix, or digits mixed with a-f.
  if (!prefixed && (!/[a-fA-F]/.test(hex) || !/\d/.test(hex))) return null;
  const n = Number.parseInt(hex, 16);
  return Number.isSafeInteger(n) ? String(n) : null;
}

function rot13(word: string): string {
  return word.replace(/[A-Za-z]/g, (c) => {
    const base = c <= "Z" ? 65 : 97;
    return String.fromCharCode(((c.charCodeAt(0) - base + 13) % 26) + base);
  });
}

/** Decoded readings of encoded-looking tokens, each mapped to the token it came from. */
function decodedSegments(m: Mapped): Mapped[] {
  const out: Mapped[] = [];
  // "91.250" or "182.000" written with a dot for thousands: also read without it.
  for (const t of m.text.matchAll(/(?<![\d.,])\d{1,3}(?:\.\d{3})+(?![\d]|[.,]\d)/g)) {
    const reading = t[0].replace(/\./g, "");
    const from = m.map[t.index] as number;
    const to = m.map[t.index + t[0].length - 1] as number;
    out.push({ text: reading, map: [...reading].map((_, k, all) => (k === all.length - 1 ? to : from)) });
  }
  for (const t of m.text.matchAll(/[A-Za-z0-9+/=]{5,}|0x[0-9a-fA-F]+/g)) {
    const token = t[0];
    const decoded = fromBase64(token) ?? fromHex(token);
    const words = decoded === null && /^[A-Z][a-z]{3,}$/.test(token) ? rot13(token) : null;
    const reading = decoded ?? words;
    if (reading === null) continue;
    const from = m.map[t.index] as number;
    const to = m.map[t.index + token.length - 1] as number;
    // Every decoded character points into the token; the last one at its end, so spans cover it.
    const map = [...reading].map((_, k, all) => (k === all.length - 1 ? to : from));
    out.push({ text: [...reading].join(""), map });
  }
  return out;
}

export function normalizeMapped(input: string, options: { decode?: boolean } = {}): Mapped {
  const base = joinSpacedDigits(foldChars(input));
  if (options.decode === false) return base;
  let { text } = base;
  const map = [...base.map];
  for (const seg of decodedSegments(base)) {
    // A line of its own, so a decoded reading never runs into the words around it.
    text += `\n${seg.text}`;
    map.push(seg.map[0] as number, ...seg.map);
  }
  return { text, map };
}

/** The normalised text alone (no decoded readings): for a private value before it is read. */
export function normalizeText(input: string): string {
  return normalizeMapped(input, { decode: false }).text;
}

/** Maps a span of the normalised text back to the input: it covers every input character used. */
export function originalSpan(m: Mapped, start: number, end: number): { start: number; end: number } {
  const a = m.map[start] ?? m.map[m.map.length - 1] ?? 0;
  const b = (m.map[Math.max(start, end - 1)] ?? a) + 1;
  return { start: Math.min(a, b - 1), end: b };
}

const DIGIT_WORDS = ["zero", "one", "two", "three", "four", "five", "six", "seven", "eight", "nine"];

/** Letters and digits only, lowercase, digit words as digits: the form values are compared in. */
function compact(m: Mapped): Mapped {
  let text = "";
  const map: number[] = [];
  const lower = m.text.toLowerCase();
  const re = /[a-z]+|\d/g;
  for (const w of lower.matchAll(re)) {
    const digit = DIGIT_WORDS.indexOf(w[0]);
    const piece = digit >= 0 ? String(digit) : w[0];
    for (let k = 0; k < piece.length; k++) {
      text += piece[k];
      map.push(m.map[w.index + Math.min(k, w[0].length - 1)] as number);
    }
  }
  return { text, map };
}

/**
 * Where a private value occurs in a text in any of the spellings above (separators, case, digit
 * words, encodings ignored): spans of the input, each covering the whole value.
 */
export function findValue(text: string, value: string): Array<{ start: number; end: number }> {
  // Leading zeros carry nothing a number-typed field keeps ("078-05-1120" as 78051120).
  const full = compact(normalizeMapped(value, { decode: false })).text;
  const needle = full.replace(/^0+(?=\d)/, "");
  const zeros = full.length - needle.length;
  if (needle.length < 4) return [];
  const hay = compact(normalizeMapped(text));
  const out: Array<{ start: number; end: number }> = [];
  for (let at = hay.text.indexOf(needle); at >= 0; at = hay.text.indexOf(needle, at + 1)) {
    // The zeros that were there are part of the value: the span covers them too.
    let from = at;
    while (from > 0 && at - from < zeros && hay.text[from - 1] === "0") from -= 1;
    out.push(originalSpan(hay, from, at + needle.length));
  }
  return out;
}

export function containsValue(text: string, value: string): boolean {
  return findValue(text, value).length > 0;
}
