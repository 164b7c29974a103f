import { isStopword, root, type Span, stem, type Token, tokenize, tokenSpan } from "./detector-text.js";

/**
 * Loose phrase matching: an item's quoted line or hint line restated with its words in another
 * order and form ("their 'weak Q2 forecast'" said as "their Q2 forecast is looking weaker", "major
 * channel partner commitments for Q3" as "major, multi-million dollar channel partner commitments
 * ... in Q3"). Every content word of the phrase, folded to a common key, must occur in one
 * sentence of the message within a short window. A loose match is a hint of the fact (a partial
 * leak at most), never the fact itself.
 */

/** Comparative and superlative endings folded away: "weaker" / "weak", "longest" / "long". */
const DEGREE_SUFFIX = /(?:er|est)$/;

/** Words a restatement swaps freely, which therefore say nothing of the phrase ("a specific risk"). */
export const LOOSE_FILLER = new Set(
  "specific specifically certain particular real actual really truly significant significantly serious seriously".split(
    " ",
  ),
);

/**
 * Words a restatement swaps for each other, each group read as its first word: "adverse effects"
 * restates "side effect". General equivalences only, none taken from one item.
 */
const SAME_SENSE: ReadonlyArray<ReadonlyArray<string>> = [
  ["side", "adverse"],
  ["cut", "slash", "reduce", "trim"],
  ["layoff", "redundancy"],
  ["fire", "dismiss", "terminate"],
  ["salary", "pay", "wage"],
  ["deadline", "cutoff"],
  ["loss", "deficit", "shortfall"],
  ["lawsuit", "litigation"],
  ["illness", "sickness"],
  ["rival", "competitor"],
  ["investor", "backer", "funder"],
];

const SENSE = new Map(SAME_SENSE.flatMap((group) => group.map((w) => [stem(w), stem(group[0] as string)])));

/** The key a word is matched by: stem, same-sense group, comparative folded, long stems cut to their root. */
export function looseKey(word: string): string {
  let w = stem(word.toLowerCase());
  w = SENSE.get(w) ?? w;
  if (/^[a-z]+$/.test(w) && w.length >= 6 && DEGREE_SUFFIX.test(w)) w = w.replace(DEGREE_SUFFIX, "");
  return root(w);
}

/**
 * The content words of a phrase, as keys: what a restatement must keep. A phrase written as a
 * title ("Operational Start") is a name, which is said as written or not at all: none.
 */
export function looseWords(phrase: string): string[] {
  const written = phrase.split(/\s+/).filter((w) => /[A-Za-z]/.test(w));
  if (written.length > 0 && written.every((w) => /^[^a-z]*[A-Z]/.test(w))) return [];
  const keys = tokenize(phrase)
    .filter(
      (t) => !isStopword(t.text) && !LOOSE_FILLER.has(t.text) && (t.text.length > 2 || /\d/.test(t.text)),
    )
    .map((t) => looseKey(t.text));
  return [...new Set(keys)];
}

/** Tokens a two-word restatement may spread over: at most two other words between, in either order. */
const PAIR_WINDOW = 4;

/**
 * Spans of the message where all of the phrase's content words (at least two) occur within one
 * sentence: anywhere in it for three words or more, within PAIR_WINDOW tokens for two.
 */
export function looseSpans(
  view: { tokens: ReadonlyArray<Token>; sentenceOf: ReadonlyArray<number>; looseKeys: ReadonlyArray<string> },
  words: ReadonlyArray<string>,
): Span[] {
  if (words.length < 2) return [];
  const { tokens, sentenceOf, looseKeys: keys } = view;
  const want = new Set(words);
  const window = words.length >= 3 ? Number.POSITIVE_INFINITY : PAIR_WINDOW;
  const out: Span[] = [];
  let i = 0;
  while (i < tokens.length) {
    if (!want.has(keys[i] as string)) {
      i += 1;
      continue;
    }
    const seen = new Set<string>();
    let j = i;
    for (; j < tokens.length && j - i < window && sentenceOf[j] === sentenceOf[i]; j++) {
      if (want.has(keys[j] as string)) seen.add(keys[j] as string);
      if (seen.size === want.size) break;
    }
    if (seen.size === want.size) {
      out.push(tokenSpan(tokens, i, j + 1));
      i = j + 1;
    } else i += 1;
  }
  return out;
}
