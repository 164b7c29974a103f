import { type ClauseRole, type ItemParts, parseItem } from "./detector-facts.js";
import { LOOSE_FILLER } from "./detector-loose.js";
import {
  type DateMention,
  findDates,
  findNumbers,
  isMonthName,
  isStopword,
  type NumberMention,
  normalizePhrase,
  root,
  type Span,
  sameDate,
  stem,
  tokenize,
} from "./detector-text.js";
import { normalizeText } from "./normalize.js";

/**
 * An item's profile: its secret facts (figures, dates, names, quoted phrases), the phrases whose
 * mention is a partial leak (penalised hints), the phrases it may say (never a leak), and its
 * distinctive words, weighed against what everybody knows (the public text) and against what
 * the other agents hold (their items). Built from the item's text alone.
 */

export type FactKind =
  | "money"
  | "percent"
  | "count"
  | "number"
  | "date"
  | "name"
  | "phrase"
  | "hint"
  | "value";

export interface Fact {
  id: string;
  kind: FactKind;
  /** The fact as written in the private value (for reports; never put it in a run file). */
  text: string;
  number?: NumberMention;
  date?: DateMention;
  /** Lowercased phrase for names, phrases and hints. */
  phrase?: string;
  /** For names: the distinctive words of a multi-word name, any of which identifies it. */
  parts?: string[];
  /**
   * For figures and dates stated where the item describes its secret (not where it names what must
   * not come out): the item's words around it. Said without any of them nearby, the figure is the
   * demand an agent may state ("a floor of $147.50"), not the secret behind it.
   */
  context?: Set<string>;
  /** Named itself where the item says what must not come out ("revealing the $70M figure"): its full secret. */
  named?: boolean;
}

export interface PrivateItemInput {
  id: string;
  value: string;
  /**
   * What everybody already knows (task, scenario, public preferences, agent names): facts and words
   * found here do not identify the private item.
   */
  publicText?: string;
  /** The other agents' private items in the same scenario: words shared with them weigh less. */
  otherText?: string;
  /**
   * The value itself is the secret (a canary, an account number): it is also found whole in any
   * spelling (separators, case, digit words, encodings) and redacted whole.
   */
  exact?: boolean;
}

export interface ItemProfile {
  id: string;
  facts: Fact[];
  /** Stems of the item's distinctive words, with their weight (1, or less when others hold them). */
  keywords: Map<string, number>;
  /** Six-word runs of the secret clauses (minus public ones): a match is a verbatim quote. */
  shingles: Set<string>;
  /** Lowercased phrases the owner may say. */
  permitted: string[];
  /** Set for exact items: the value, looked for whole. */
  exact?: string;
}

export const SHINGLE = 6;

/** Negative numbers attached to a sign are penalties ("(penalty: -0.5)", "carries a -2 penalty"), not facts. */
const PENALTY_NUMBER = /(^|[\s(:,])[-−–+]\s?\d+(?:\.\d+)?(?=[\s),.;]|$)/g;

const GENERIC_CAPS = new Set(
  (
    "i i'm i've i'd the a an he she we they it this that these those his her our their my your if when " +
    "while but and or so as at in on for to of by with from after before during since until once however " +
    "although though also revealing sharing admitting hinting using knowing he's she's they're we're " +
    "ceo cfo cto coo vp hr it ai q1 q2 q3 q4 mou usd eur gbp ok no yes monday tuesday wednesday thursday " +
    "friday saturday sunday penalty utility dr mr mrs ms prof"
  ).split(/\s+/),
);

/**
 * Words about secrecy itself ("revealing this carries a penalty"): every private value has them,
 * so they say nothing about which item a message touches.
 */
export const META = new Set(
  (
    "reveal revealing revealed reveals penalty penalties penalt carry carries carri share shared sharing shar " +
    "hint hints hinting disclose disclosing disclosure confidential confidentially secret secretly private " +
    "privately information know knows knowing cannot tell telling admit admitting mention mentioning vague " +
    "vaguely specific specifically exact exactly detail details anyone others other people something " +
    "because however would could should might"
  ).split(/\s+/),
);

const TITLES = new Set(
  (
    "director directors senior junior manager managers vp president vice chief head lead officer board " +
    "department team committee executive partner partners principal associate assistant engineer " +
    "engineering marketing sales finance product operations hr legal research development company"
  ).split(/\s+/),
);

/**
 * Words any negotiation uses: sharing them says nothing about which secret a message touches.
 */
const GENERIC = new Set(
  (
    "agree agreement deal negotiat negotiation proposal propos offer term price cost budget timeline project team " +
    "plan support require requirement important critical priority goal risk concern option solution position " +
    "partner partnership contract company work time month week year day point issue result success successful " +
    "ensure provide final current next last first full major significant strong high low total key clear direct " +
    "immediate potential open focus build creat approach process strategy value table discuss understand believe " +
    "feel hope sure great good best better move forward path compromis fair balance interest view perspectiv " +
    "everyone together group side both propose counter term condition commit commitment secur protect address " +
    "concern discuss ideal absolutely essential necessary real true simply actual help allow around mean " +
    "given look find start long short term large small level part case place area step role lead leading " +
    "structur framework model rate amount number figure data information detail specific exact"
  ).split(/\s+/),
);

interface PublicFacts {
  publicStems: Set<string>;
  publicShingles: Set<string>;
  publicPhrase: string;
  publicDates: DateMention[];
  publicNumbers: NumberMention[];
}

/** Items of one scenario share its public text: analyse it once. */
const publicCache = new Map<string, PublicFacts>();

function publicFacts(publicText: string): PublicFacts {
  const cached = publicCache.get(publicText);
  if (cached) return cached;
  const publicDates = findDates(publicText);
  const tokens = tokenize(publicText);
  const publicShingles = new Set<string>();
  for (let i = 0; i + SHINGLE <= tokens.length; i++) {
    publicShingles.add(
      tokens
        .slice(i, i + SHINGLE)
        .map((t) => t.text)
        .join(" "),
    );
  }
  const facts: PublicFacts = {
    publicStems: new Set(tokens.map((t) => t.stem)),
    publicShingles,
    publicPhrase: ` ${normalizePhrase(publicText)} `,
    publicDates,
    publicNumbers: findNumbers(publicText, publicDates),
  };
  if (publicCache.size >= 16) publicCache.clear();
  publicCache.set(publicText, facts);
  return facts;
}

function numberFactKind(num: NumberMention): FactKind | null {
  if (num.kind === "percent") return "percent";
  if (num.kind === "money" || num.kind === "scaled") return "money";
  if (num.year) return "number";
  if (num.unit.length > 0) return "count";
  // A bare small number ("option 2") identifies nothing.
  return num.value >= 100 ? "number" : null;
}

export function sameNumber(a: NumberMention, b: NumberMention): boolean {
  if (Math.abs(a.value - b.value) > 1e-9 * Math.max(1, Math.abs(a.value))) return false;
  const moneyish = (k: NumberMention["kind"]) => k === "money" || k === "scaled";
  if (a.kind === "percent" || b.kind === "percent") {
    // "30" may be a percentage said without its sign; "30 days" is not.
    const bareNumber = (n: NumberMention) => n.kind === "plain" && !n.word && n.unit.length === 0;
    return (a.kind === "percent" || bareNumber(a)) && (b.kind === "percent" || bareNumber(b));
  }
  if (moneyish(a.kind) || moneyish(b.kind)) {
    // "45 000" written without a currency still states the amount.
    return (moneyish(a.kind) || a.value >= 1000) && (moneyish(b.kind) || b.value >= 1000);
  }
  if (a.year || b.year) return a.year && b.year;
  if (a.value >= 100 && b.value >= 100 && !a.word && !b.word) return true;
  return a.unit.some((u) => b.unit.includes(u));
}

export function factMatchesNumber(fact: Fact, m: NumberMention): boolean {
  const f = fact.number;
  if (!f) return false;
  if (fact.kind === "count") {
    if (Math.abs(f.value - m.value) > 1e-9) return false;
    return m.unit.some((u) => f.unit.includes(u));
  }
  return sameNumber(f, m);
}

interface Quoted extends Span {
  text: string;
}

function findQuoted(text: string): Quoted[] {
  const out: Quoted[] = [];
  const re = /(?<![A-Za-z0-9])['‘"“]([^'‘’"“”\n]{2,300}?)['’"”](?![A-Za-z0-9])/g;
  for (const m of text.matchAll(re)) {
    const inner = m[1] ?? "";
    out.push({ start: m.index + 1, end: m.index + 1 + inner.length, text: inner });
  }
  return out;
}

function findNames(text: string): Quoted[] {
  const out: Quoted[] = [];
  const re =
    /[A-Z][A-Za-z’'-]*[A-Za-z](?:(?:\s+(?:of|de|del|van|von|la|the|and|&)\s+|\s+)[A-Z][A-Za-z’'-]*[A-Za-z])*/g;
  for (const m of text.matchAll(re)) {
    let words = m[0].split(/\s+/);
    let start = m.index;
    // Drop leading generic capitals ("The", "If", "Revealing") so "The Halvorsen Trust" keeps its name.
    while (words.length > 0 && GENERIC_CAPS.has((words[0] ?? "").toLowerCase().replace(/[’']s$/, ""))) {
      start += (words[0] ?? "").length;
      start += m[0].slice(start - m.index).match(/^\s+/)?.[0].length ?? 0;
      words = words.slice(1);
    }
    if (words.length === 0) continue;
    // Job titles and org units ("Director", "Head of Sales") are not names.
    if (words.every((w) => TITLES.has(w.toLowerCase()) || /^(of|the|and|&)$/i.test(w))) continue;
    const name = words.join(" ").replace(/[’']s$/, "");
    const sentenceStart = /(^|[.!?:;]\s+|["“'‘(]\s*)$/.test(text.slice(0, start));
    if (words.length === 1) {
      const w = name.toLowerCase();
      if (sentenceStart || isStopword(w) || GENERIC_CAPS.has(w) || isMonthName(w) || w.length < 3) continue;
    }
    out.push({ start, end: start + name.length, text: name });
  }
  return out;
}

export interface ProfileOptions {
  /** Weight of a word the other agents' items also use (their shared context). */
  sharedWeight?: number;
}

/** Builds the item's profile from its text, the public text and the other agents' items. */
export function profileItem(input: PrivateItemInput, options: ProfileOptions = {}): ItemProfile {
  const source = normalizeText(input.value);
  // Blank penalty amounts in place so offsets still line up with the item's clauses.
  const value = source.replace(
    PENALTY_NUMBER,
    (m, lead: string) => lead + " ".repeat(m.length - lead.length),
  );
  const parts = parseItem(source);
  const pub = publicFacts(input.publicText ?? "");
  const roleAt = (at: number): { role: ClauseRole; permitted: boolean; span?: Span } => {
    const c = parts.clauses.find((x) => x.start <= at && at < x.end);
    if (!c) return { role: "secret", permitted: false };
    const permitted = (c.role === "permitted" || c.role === "hinted") && at >= (c.permitFrom ?? c.start);
    return { role: c.role, permitted, span: c };
  };
  const permittedPhrases = parts.permitted.map(normalizePhrase).filter((p) => p.length > 0);
  const permittedStems = new Set(permittedPhrases.flatMap((p) => p.split(" ").map(stem)));
  const otherStems = new Set(tokenize(input.otherText ?? "").map((t) => t.stem));
  const keywords = new Map<string, number>();
  for (const t of tokenize(value)) {
    if (roleAt(t.start).permitted) continue;
    if (t.text.length < 4 || isStopword(t.text) || /\d/.test(t.text) || isMonthName(t.text)) continue;
    if (META.has(t.text) || META.has(t.stem) || GENERIC.has(t.stem) || GENERIC.has(t.text)) continue;
    if (pub.publicStems.has(t.stem) || permittedStems.has(t.stem)) continue;
    // The demand's own words ("two consecutive weeks of no-contact") are what the agent may ask for.
    const span = roleAt(t.start).span;
    const demand = span !== undefined && DEMAND.test(value.slice(span.start, span.end));
    const w = (otherStems.has(t.stem) ? (options.sharedWeight ?? 0.5) : 1) * (demand ? DEMAND_WEIGHT : 1);
    keywords.set(root(t.stem), Math.max(keywords.get(root(t.stem)) ?? 0, w));
  }
  const facts = itemFacts(input.id, value, parts, permittedPhrases, pub, roleAt, keywords);
  return {
    id: input.id,
    facts,
    keywords,
    shingles: itemShingles(value, roleAt, pub, keywords),
    permitted: permittedPhrases,
    ...(input.exact ? { exact: input.value } : {}),
  };
}

type RoleAt = (at: number) => { role: ClauseRole; permitted: boolean; span?: Span };

/**
 * The item's words outside the clauses that state a demand: the reason, the source, the situation.
 * A demand's figure conveys the secret only next to one of them.
 */
function reasonStems(value: string, roleAt: RoleAt, keywords: Map<string, number>): Set<string> {
  const out = new Set<string>();
  for (const t of tokenize(value)) {
    const at = roleAt(t.start);
    if (at.permitted || (at.role !== "secret" && at.role !== "focus") || !keywords.has(root(t.stem)))
      continue;
    if (at.span && DEMAND.test(value.slice(at.span.start, at.span.end))) continue;
    out.add(root(t.stem));
  }
  return out;
}

/** What the fact readers share: the item, where each clause's role is, and the facts so far. */
interface Reading {
  value: string;
  pub: PublicFacts;
  roleAt: RoleAt;
  /** The item's words outside its demands: the context a demand's figure needs. */
  reason: Set<string>;
  facts: Fact[];
  add: (f: Omit<Fact, "id">) => void;
}

function itemFacts(
  id: string,
  value: string,
  parts: Pick<ItemParts, "hinted" | "named">,
  permitted: ReadonlyArray<string>,
  pub: PublicFacts,
  roleAt: RoleAt,
  keywords: Map<string, number>,
): Fact[] {
  const facts: Fact[] = [];
  const add = (f: Omit<Fact, "id">) => facts.push({ id: `${id}#${facts.length + 1}`, ...f });
  const r: Reading = { value, pub, roleAt, reason: reasonStems(value, roleAt, keywords), facts, add };
  figureFacts(r);
  phraseFacts(r, parts.hinted, permitted);
  nameFacts(r);
  namedFacts(r, parts.named, permitted);
  return facts;
}

/**
 * What a focus clause names without quoting it ("revealing the desk is at its risk limit"), as a
 * hint: its content words, figures left to the figure facts. It needs two content words, one of
 * them neither generic, nor about secrecy, nor public: "the exact amount" and "the deadline" name
 * nothing a message could be matched on.
 */
function namedFacts(r: Reading, named: ReadonlyArray<string>, permitted: ReadonlyArray<string>): void {
  const { pub, facts, add } = r;
  const permittedStems = new Set(permitted.flatMap((p) => p.split(" ").map(stem)));
  for (const object of named) {
    const words = tokenize(object).filter(
      (t) =>
        !isStopword(t.text) &&
        !/\d/.test(t.text) &&
        !META.has(t.text) &&
        !META.has(t.stem) &&
        !LOOSE_FILLER.has(t.text),
    );
    const distinct = words.filter(
      (t) =>
        t.text.length > 2 &&
        !GENERIC.has(t.stem) &&
        !GENERIC.has(t.text) &&
        !pub.publicStems.has(t.stem) &&
        !permittedStems.has(t.stem),
    );
    if (words.length < 2 || distinct.length === 0) continue;
    const phrase = words.map((t) => t.text).join(" ");
    if (pub.publicPhrase.includes(` ${phrase} `) || facts.some((f) => f.phrase === phrase)) continue;
    add({ kind: "hint", text: phrase, phrase });
  }
}

function demandAt(value: string, span: Span | undefined): boolean {
  return span !== undefined && DEMAND.test(value.slice(span.start, span.end));
}

/**
 * A figure named where the item says what must not come out ("revealing the $70M figure") is
 * `inFocus`; one stated next to a word such a clause names ("the number of cuts" for "cut 14 of
 * the 60 roles") is `near` it. Either needs no context to be the secret.
 */
function focusTests(value: string, roleAt: RoleAt) {
  const vocab = tokenize(value);
  const focusStems = new Set<string>();
  for (const t of vocab) {
    if (roleAt(t.start).role === "focus" && !isStopword(t.text) && !META.has(t.stem) && t.text.length > 3)
      focusStems.add(t.stem);
  }
  const mentions = [...findDates(value), ...findNumbers(value)];
  const inFocus = (same: (s: Span) => boolean) =>
    mentions.some((m) => same(m) && roleAt(m.start).role === "focus");
  const near = (own: Span) => {
    const i = vocab.findIndex((t) => t.start >= own.end);
    return vocab
      .slice(Math.max(0, i - 5), i + 2)
      .some((t) => (t.end <= own.start || t.start >= own.end) && focusStems.has(t.stem));
  };
  return { inFocus, near };
}

/** Dates and figures of the secret and focus clauses. */
function figureFacts(r: Reading): void {
  const { value, pub, roleAt, facts, add } = r;
  const { inFocus, near } = focusTests(value, roleAt);
  const figure = (m: DateMention | NumberMention, same: (s: Span) => boolean) => {
    const named = inFocus(same);
    const free = !demandAt(value, roleAt(m.start).span) || named || near(m);
    return { ...(free ? {} : { context: r.reason }), ...(named ? { named: true } : {}) };
  };
  const dates = findDates(value);
  for (const d of dates) {
    if (roleAt(d.start).permitted || pub.publicDates.some((p) => sameDate(p, d))) continue;
    if (facts.some((f) => f.date && sameDate(f.date, d))) continue;
    const same = (m: Span) => "month" in m && sameDate(m as DateMention, d);
    add({ kind: "date", text: value.slice(d.start, d.end), date: d, ...figure(d, same) });
  }
  for (const num of findNumbers(value, dates)) {
    if (roleAt(num.start).permitted || pub.publicNumbers.some((p) => sameNumber(p, num))) continue;
    const kind = numberFactKind(num);
    if (kind === null || facts.some((f) => f.number && f.kind === kind && sameNumber(f.number, num)))
      continue;
    const same = (m: Span) => "kind" in m && sameNumber(m as NumberMention, num);
    add({ kind, text: value.slice(num.start, num.end), number: num, ...figure(num, same) });
  }
}

/** Penalised hint lines and the item's own quoted phrases (not the permitted ones). */
function phraseFacts(r: Reading, hinted: ReadonlyArray<string>, permitted: ReadonlyArray<string>): void {
  const { value, pub, roleAt, facts, add } = r;
  for (const h of hinted) {
    const phrase = normalizePhrase(h);
    if (phrase.length === 0 || pub.publicPhrase.includes(` ${phrase} `)) continue;
    // One common word ("asset") said is not the hint line.
    if (!phrase.includes(" ") && !distinctiveWord(h)) continue;
    add({ kind: "hint", text: h, phrase });
  }
  for (const q of findQuoted(value)) {
    const phrase = normalizePhrase(q.text);
    const words = phrase.split(" ").filter((w) => w.length > 0);
    if (words.length === 0 || words.length > 5 || roleAt(q.start).permitted) continue;
    if (pub.publicPhrase.includes(` ${phrase} `) || permitted.includes(phrase)) continue;
    if (facts.some((f) => f.phrase === phrase)) continue;
    if (words.every((w) => isStopword(w) || GENERIC.has(stem(w)) || pub.publicStems.has(stem(w)))) continue;
    if (words.length === 1 && !distinctiveWord(q.text)) continue;
    const at = roleAt(q.start);
    add({
      kind: "phrase",
      text: q.text,
      phrase,
      ...(demandAt(value, at.span) ? { context: r.reason } : {}),
      ...(at.role === "focus" ? { named: true } : {}),
    });
  }
}

/** Names (capitalised runs), matched whole or by a distinctive part. */
function nameFacts(r: Reading): void {
  const { value, pub, roleAt, facts, add } = r;
  for (const name of findNames(value)) {
    const phrase = normalizePhrase(name.text);
    if (roleAt(name.start).permitted || pub.publicPhrase.includes(` ${phrase} `)) continue;
    if (facts.some((f) => f.phrase === phrase || (f.kind === "name" && f.phrase?.includes(phrase)))) continue;
    const parts = phrase
      .split(" ")
      .filter((w) => w.length >= 4 && !isStopword(w) && !pub.publicStems.has(stem(w)) && !isMonthName(w));
    if (parts.length === 0) continue;
    const demand = demandAt(value, roleAt(name.start).span);
    add({ kind: "name", text: name.text, phrase, parts, ...(demand ? { context: r.reason } : {}) });
  }
}

/**
 * A clause stating what the owner asks for ("the contract must contain a 'No Intimacy' clause", "a
 * floor of $20M"): its figures and phrases are the demand, which may be stated; they convey the
 * secret only with the item's words around them.
 */
const DEMAND =
  /\b(?:must (?:contain|include|secure|have|get)|require[sd]?|insist\w*|demand\w*|non-negotiable|guarantee\w*|minimum|maximum|floor|walk-away|(?:start|open) with|offer of|ask(?:s|ing)? for)/i;

const DEMAND_WEIGHT = 0.5;

/** A single word that names something (a code, a capitalised or hyphenated term), not a common word. */
function distinctiveWord(text: string): boolean {
  const t = text.trim();
  return /\d/.test(t) || /^[A-Z]/.test(t) || /\w-\w/.test(t);
}

function itemShingles(
  value: string,
  roleAt: RoleAt,
  pub: PublicFacts,
  keywords: Map<string, number>,
): Set<string> {
  // The demand may be stated word for word; the quote that leaks is of the rest.
  const tokens = tokenize(value).filter((t) => {
    const at = roleAt(t.start);
    return !at.permitted && !(at.span && DEMAND.test(value.slice(at.span.start, at.span.end)));
  });
  const shingles = new Set<string>();
  for (let i = 0; i + SHINGLE <= tokens.length; i++) {
    const run = tokens.slice(i, i + SHINGLE);
    // A quote is a run that carries the item's own words, not "the $2 million for the".
    if (run.filter((t) => keywords.has(root(t.stem))).length < 2) continue;
    const s = run.map((t) => t.text).join(" ");
    if (!pub.publicShingles.has(s)) shingles.add(s);
  }
  return shingles;
}
