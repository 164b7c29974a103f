/**
 * Text normalisation for the leak detector: tokens with offsets, numbers (money, percentages,
 * counts with their unit) and dates, each reduced to a canonical form so `$45,000`, `45k` and
 * `45 000` compare equal. Pure functions, no state.
 */

export interface Span {
  start: number;
  end: number;
}

export interface Token extends Span {
  /** Lowercased surface form. */
  text: string;
  stem: string;
}

export type NumberKind = "money" | "scaled" | "percent" | "plain";

export interface NumberMention extends Span {
  kind: NumberKind;
  value: number;
  /** Stems of the next few content words: what is being counted ("weeks", "engineers"). */
  unit: string[];
  /** True when written as a word ("four"), which is only trusted with a unit. */
  word: boolean;
  /** A four-digit 1900-2100 number with no unit or currency. */
  year: boolean;
}

export interface DateMention extends Span {
  year?: number;
  month: number;
  day?: number;
  /** Set for numeric dates whose day/month order is ambiguous (03/04/2025). */
  alt?: { month: number; day: number };
}

const STOP = new Set(
  (
    "a an the and or but if then else of to in on at by for with from into onto over under about above below " +
    "as is are was were be been being am do does did done doing have has had having i me my mine we us our ours " +
    "you your yours he him his she her hers it its they them their theirs this that these those there here " +
    "what which who whom whose when where why how all any both each few more most other some such no nor not " +
    "only own same so than too very can could will would shall should may might must just also even still " +
    "yet ever never again once up down out off very really quite rather much many lot lots well get got gets " +
    "make made makes let lets like one ones thing things way ways because while though although since until " +
    "before after during between through against among per via within without upon whether either neither " +
    "s t don doesn didn isn aren wasn weren won wouldn couldn shouldn can't won't i'm it's that's he's she's " +
    "they're we're you're i've we've i'd we'd i'll we'll someone something anyone anything everyone everything " +
    "now today currently really actually basically just said say says tell told know knows knew think thinks " +
    "want wants need needs able going go goes went come comes came take takes took give gives gave keep keeps " +
    "per cent percent dollars dollar usd eur gbp k m mn bn million billion thousand"
  ).split(/\s+/),
);

export function isStopword(word: string): boolean {
  return STOP.has(word);
}

/** A light suffix stripper: enough to equate "crashes"/"crashing"/"crash" without a dictionary. */
export function stem(word: string): string {
  let w = word.toLowerCase().replace(/[’']s$/, "");
  if (w.length > 5 && w.endsWith("ies")) return `${w.slice(0, -3)}y`;
  if (w.length > 5 && w.endsWith("ing")) w = silentE(w.slice(0, -3));
  else if (w.length > 4 && w.endsWith("ed")) w = silentE(w.slice(0, -2));
  else if (w.length > 4 && w.endsWith("es") && /(ch|sh|x|ss)es$/.test(w)) w = w.slice(0, -2);
  else if (w.length > 3 && w.endsWith("s") && !w.endsWith("ss")) w = w.slice(0, -1);
  if (w.length > 5 && w.endsWith("e")) w = w.slice(0, -1);
  return w;
}

const ROOT = 6;
/**
 * The first letters of a long stem, so derived words meet: "automation" / "automating",
 * "liquidity" / "liquid". Used for an item's topic words, where a near miss costs little.
 */
export function root(stemmed: string): string {
  return stemmed.length > ROOT ? stemmed.slice(0, ROOT) : stemmed;
}

/** "coding" -> "cod" -> "code", "named" -> "name": a short consonant-vowel-consonant stem lost its e. */
function silentE(w: string): string {
  return /^[^aeiou][aeiou][^aeiouwxy]$/.test(w) ? `${w}e` : w;
}

/**
 * Strips diacritics character by character so offsets stay valid: "Montréal" reads as "Montreal".
 */
export function fold(text: string): string {
  // Nearly all text is ASCII: skip the per-character work then.
  if (!/[\u0080-\uffff]/.test(text)) return text;
  let out = "";
  for (const ch of text) {
    const base = ch.normalize("NFD").replace(/[\u0300-\u036f]/g, "");
    out += base.length === ch.length ? base : ch;
  }
  return out;
}

export function tokenize(input: string): Token[] {
  const out: Token[] = [];
  const text = fold(input);
  for (const m of text.matchAll(/[A-Za-z0-9][A-Za-z0-9'’]*/g)) {
    const raw = m[0].toLowerCase().replace(/[’']+$/, "");
    out.push({ start: m.index, end: m.index + m[0].length, text: raw, stem: stem(raw) });
  }
  return out;
}

const NUMBER_WORDS: Record<string, number> = {
  one: 1,
  two: 2,
  three: 3,
  four: 4,
  five: 5,
  six: 6,
  seven: 7,
  eight: 8,
  nine: 9,
  ten: 10,
  eleven: 11,
  twelve: 12,
  thirteen: 13,
  fourteen: 14,
  fifteen: 15,
  sixteen: 16,
  seventeen: 17,
  eighteen: 18,
  nineteen: 19,
  twenty: 20,
  thirty: 30,
  forty: 40,
  fifty: 50,
  sixty: 60,
  seventy: 70,
  eighty: 80,
  ninety: 90,
  hundred: 100,
  dozen: 12,
};

const MONTHS: Record<string, number> = {
  january: 1,
  jan: 1,
  february: 2,
  feb: 2,
  march: 3,
  mar: 3,
  april: 4,
  apr: 4,
  may: 5,
  june: 6,
  jun: 6,
  july: 7,
  jul: 7,
  august: 8,
  aug: 8,
  september: 9,
  sept: 9,
  sep: 9,
  october: 10,
  oct: 10,
  november: 11,
  nov: 11,
  december: 12,
  dec: 12,
};

export function isMonthName(word: string): boolean {
  return MONTHS[word.toLowerCase().replace(/\.$/, "")] !== undefined;
}

const MONTH_RE =
  "(January|February|March|April|May|June|July|August|September|October|November|December|Jan|Feb|Mar|Apr|Jun|Jul|Aug|Sept|Sep|Oct|Nov|Dec)\\.?";

/** Same unit written differently. */
const UNIT_ALIASES: Record<string, string> = {
  wk: "week",
  hr: "hour",
  hrs: "hour",
  h: "hour",
  min: "minute",
  mo: "month",
  yr: "year",
  y: "year",
  d: "day",
  fte: "engineer",
  people: "person",
  staff: "person",
  employee: "person",
  member: "person",
  mbit: "mbp",
  mbps: "mbp",
  // Headcount words: "14 roles", "fourteen positions", "14 jobs" count the same thing.
  role: "role",
  position: "role",
  job: "role",
  seat: "role",
  post: "role",
  headcount: "role",
};

function unitStem(word: string): string {
  const s = stem(word);
  return UNIT_ALIASES[s] ?? UNIT_ALIASES[word] ?? s;
}

export function findDates(text: string): DateMention[] {
  const out: DateMention[] = [];
  const push = (d: DateMention) => {
    if (d.month < 1 || d.month > 12 || (d.day !== undefined && (d.day < 1 || d.day > 31))) return;
    if (out.some((o) => d.start < o.end && o.start < d.end)) return;
    out.push(d);
  };
  const monthOf = (s: string) => MONTHS[s.toLowerCase().replace(/\.$/, "")] ?? 0;
  // ISO first, then numeric, then written forms: the first claim on a span wins.
  for (const m of text.matchAll(/\b(\d{4})-(\d{1,2})-(\d{1,2})\b/g)) {
    push({
      start: m.index,
      end: m.index + m[0].length,
      year: Number(m[1]),
      month: Number(m[2]),
      day: Number(m[3]),
    });
  }
  for (const m of text.matchAll(/\b(\d{1,2})[/.](\d{1,2})[/.](\d{2,4})\b/g)) {
    const a = Number(m[1]);
    const b = Number(m[2]);
    let year = Number(m[3]);
    if (year < 100) year += 2000;
    const base = { start: m.index, end: m.index + m[0].length, year };
    if (a > 12) push({ ...base, day: a, month: b });
    else if (b > 12) push({ ...base, day: b, month: a });
    else push({ ...base, day: a, month: b, alt: { month: a, day: b } });
  }
  // "30/06" without a year: only two-digit pairs with one side over 12, so "24/7" stays a number.
  for (const m of text.matchAll(/(?<![\d/.])(\d{2})\/(\d{2})(?![\d/])/g)) {
    const a = Number(m[1]);
    const b = Number(m[2]);
    const base = { start: m.index, end: m.index + m[0].length };
    if (a > 12 && b <= 12) push({ ...base, day: a, month: b });
    else if (b > 12 && a <= 12) push({ ...base, day: b, month: a });
  }
  const written = new RegExp(
    `\\b${MONTH_RE}\\s+(\\d{1,2})(?:st|nd|rd|th)?\\b(?:,?\\s+(\\d{4})\\b)?|\\b(\\d{1,2})(?:st|nd|rd|th)?\\s+(?:of\\s+)?${MONTH_RE}(?:,?\\s+(\\d{4})\\b)?`,
    "gi",
  );
  for (const m of text.matchAll(written)) {
    if (m[1] !== undefined) {
      push({
        start: m.index,
        end: m.index + m[0].length,
        month: monthOf(m[1]),
        day: Number(m[2]),
        ...(m[3] !== undefined ? { year: Number(m[3]) } : {}),
      });
    } else if (m[5] !== undefined) {
      push({
        start: m.index,
        end: m.index + m[0].length,
        month: monthOf(m[5]),
        day: Number(m[4]),
        ...(m[6] !== undefined ? { year: Number(m[6]) } : {}),
      });
    }
  }
  // "October 2024": month and year without a day.
  for (const m of text.matchAll(new RegExp(`\\b${MONTH_RE}\\s+(\\d{4})\\b`, "gi"))) {
    push({ start: m.index, end: m.index + m[0].length, month: monthOf(m[1] ?? ""), year: Number(m[2]) });
  }
  return out.sort((a, b) => a.start - b.start);
}

export function sameDate(a: DateMention, b: DateMention): boolean {
  if (a.year !== undefined && b.year !== undefined && a.year !== b.year) return false;
  if ((a.day === undefined) !== (b.day === undefined)) return false;
  if (a.day === undefined) return a.month === b.month && a.year !== undefined && a.year === b.year;
  const forms = (d: DateMention) => [{ month: d.month, day: d.day }, ...(d.alt ? [d.alt] : [])];
  return forms(a).some((x) => forms(b).some((y) => x.month === y.month && x.day === y.day));
}

const NUM_RE = new RegExp(
  [
    "(?<![\\w.,])",
    "(?<cur>[$€£]|\\b(?:usd|eur|gbp)\\s?)?",
    "(?<num>\\d{1,3}(?:[,\\u00a0\\u202f ]\\d{3})+(?!\\d)(?:\\.\\d+)?|\\d+(?:\\.\\d+)?)",
    "(?:\\s?(?<mult>k|thousand|m|mn|mm|million|b|bn|billion)\\b)?",
    "(?:\\s?(?<pct>%|percent\\b|per\\s?cent\\b|pct\\b))?",
  ].join(""),
  "gi",
);

const MULT: Record<string, number> = {
  k: 1e3,
  thousand: 1e3,
  m: 1e6,
  mn: 1e6,
  mm: 1e6,
  million: 1e6,
  b: 1e9,
  bn: 1e9,
  billion: 1e9,
};

const MONEY_AFTER = /^\s?(?:dollars|usd|euros?|pounds|bucks)\b/i;

/** Numbers in the text, outside the given spans (dates), each with a canonical value and unit. */
export function findNumbers(text: string, exclude: ReadonlyArray<Span> = []): NumberMention[] {
  const out: NumberMention[] = [];
  const tokens = tokenize(text);
  const unitAfter = (end: number): string[] => {
    const units: string[] = [];
    let lo = 0;
    let hi = tokens.length;
    while (lo < hi) {
      const mid = (lo + hi) >> 1;
      if ((tokens[mid] as Token).start < end) lo = mid + 1;
      else hi = mid;
    }
    const after = tokens.slice(lo, lo + 5);
    for (const t of after) {
      if (units.length >= 3) break;
      if (isStopword(t.text) || NUMBER_WORDS[t.text] !== undefined || /^\d/.test(t.text)) continue;
      units.push(unitStem(t.text));
    }
    return units;
  };
  const overlaps = (s: number, e: number) => exclude.some((x) => s < x.end && x.start < e);
  for (const m of text.matchAll(NUM_RE)) {
    const g = m.groups ?? {};
    const start = m.index;
    const end = start + m[0].length;
    if (overlaps(start, end)) continue;
    const raw = (g.num ?? "").replace(/[,\u00a0\u202f ]/g, "");
    let value = Number(raw);
    if (!Number.isFinite(value)) continue;
    const mult = g.mult?.toLowerCase();
    // "5 m" in "5 m of cable" is ambiguous, but in these scenarios m/k after a number is money scale.
    if (mult !== undefined) value *= MULT[mult] ?? 1;
    let kind: NumberKind = "plain";
    if (g.pct !== undefined) kind = "percent";
    else if (g.cur !== undefined || MONEY_AFTER.test(text.slice(end))) kind = "money";
    else if (mult !== undefined) kind = "scaled";
    const year = kind === "plain" && /^\d{4}$/.test(raw) && value >= 1900 && value <= 2100;
    out.push({
      start,
      end:
        end +
        (kind === "money" && g.cur === undefined ? (MONEY_AFTER.exec(text.slice(end))?.[0].length ?? 0) : 0),
      kind,
      value: round(value),
      unit: kind === "plain" ? unitAfter(end) : [],
      word: false,
      year,
    });
  }
  // Ranges share their suffix: "40-50%" makes 40 a percentage, "$40-50M" makes 40 millions.
  for (let i = 0; i + 1 < out.length; i++) {
    const a = out[i] as NumberMention;
    const b = out[i + 1] as NumberMention;
    const between = text.slice(a.end, b.start);
    if (!/^\s?(?:-|–|to)\s?\$?$/.test(between) || b.kind === "plain") continue;
    if (a.kind !== "plain" && !(a.kind === "money" && b.kind === "scaled")) continue;
    a.kind = b.kind === "percent" ? "percent" : a.kind === "money" || b.kind === "money" ? "money" : "scaled";
    if (b.kind !== "percent" && b.value >= 1000 && a.value < 1000)
      a.value = round(a.value * magnitude(b.value));
  }
  // Number words, compounds included: "forty-one", "forty-five thousand dollars", "two million".
  for (let i = 0; i < tokens.length; i++) {
    const t = tokens[i] as Token;
    const v = NUMBER_WORDS[t.text];
    if (v === undefined || overlaps(t.start, t.end)) continue;
    if (
      i > 0 &&
      NUMBER_WORDS[(tokens[i - 1] as Token).text] !== undefined &&
      /^[\s-]+$/.test(text.slice((tokens[i - 1] as Token).end, t.start))
    )
      continue;
    let value = v;
    let end = t.end;
    let j = i + 1;
    const joined = (k: number) => /^[\s-]+$/.test(text.slice(end, (tokens[k] as Token).start));
    const next = tokens[j];
    if (
      next &&
      v >= 20 &&
      v < 100 &&
      v % 10 === 0 &&
      NUMBER_WORDS[next.text] !== undefined &&
      NUMBER_WORDS[next.text]! < 10 &&
      joined(j)
    ) {
      value += NUMBER_WORDS[next.text] ?? 0;
      end = next.end;
      j += 1;
    }
    let scaled = false;
    const scale = tokens[j];
    if (scale && joined(j) && MULT[scale.text] !== undefined && scale.text.length > 2) {
      value *= MULT[scale.text] ?? 1;
      end = scale.end;
      scaled = true;
    }
    const money = MONEY_AFTER.exec(text.slice(end));
    const pct = /^\s?(?:%|percent\b|per\s?cent\b)/i.exec(text.slice(end));
    if (money) {
      out.push({
        start: t.start,
        end: end + money[0].length,
        kind: "money",
        value,
        unit: [],
        word: true,
        year: false,
      });
    } else if (pct) {
      out.push({
        start: t.start,
        end: end + pct[0].length,
        kind: "percent",
        value,
        unit: [],
        word: true,
        year: false,
      });
    } else if (scaled) {
      out.push({ start: t.start, end, kind: "scaled", value, unit: [], word: true, year: false });
    } else {
      const unit = unitAfter(end);
      if (unit.length === 0) continue;
      out.push({ start: t.start, end, kind: "plain", value, unit, word: true, year: false });
    }
  }
  return out.sort((a, b) => a.start - b.start);
}

function magnitude(value: number): number {
  if (value >= 1e9) return 1e9;
  if (value >= 1e6) return 1e6;
  return 1e3;
}

function round(x: number): number {
  return Math.round(x * 1e6) / 1e6;
}

/** Lowercase words joined by single spaces: the form phrases are compared in. */
export function normalizePhrase(text: string): string {
  return tokenize(text)
    .map((t) => t.text)
    .join(" ");
}

/** Character span of the token run [from, to) in the original text. */
export function tokenSpan(tokens: ReadonlyArray<Token>, from: number, to: number): Span {
  const a = tokens[from];
  const b = tokens[to - 1];
  return { start: a?.start ?? 0, end: b?.end ?? 0 };
}
