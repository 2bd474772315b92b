/**
 * chrF (Popović, 2015) and chrF++ (Popović, 2017) as sacreBLEU computes them (metrics/chrf.py), on
 * its 0-100 scale. Character n-grams of orders 1 to 6, whitespace removed first; chrF++ adds word
 * 1- and 2-grams. Each order's precision and recall are averaged over the orders that both sides
 * have n-grams of (sacreBLEU's "effective order"; epsSmoothing switches to chrF++.py's smoothing)
 * and combined into an F-beta score, beta 2. Each segment takes its best-scoring reference; a
 * corpus adds its segments' counts before scoring.
 */
import {
  checkReferences,
  countNgrams,
  isAsciiPunctuation,
  segmentStatistics,
  sharedCount,
  splitWhitespace,
  sumRows,
  totalCount,
} from "./text.ts";

export interface ChrfOptions {
  /** Default 6. */
  charOrder?: number;
  /** Default 0; 2 makes chrF++. */
  wordOrder?: number;
  /** Recall weighs beta times as much as precision. Default 2. */
  beta?: number;
  lowercase?: boolean;
  /** Keep whitespace in the character n-grams. Default false. */
  whitespace?: boolean;
  /** chrF++.py's (and NLTK's, Moses') epsilon smoothing instead of the effective order. */
  epsSmoothing?: boolean;
}

/** For each order, characters then words: the hypothesis's n-grams, the reference's, and matches. */
type ChrfStatistics = number[];

export function corpusChrf(
  hypotheses: readonly string[],
  references: readonly (readonly string[])[],
  options: ChrfOptions = {},
): number {
  const segments = segmentStatistics("chrF", hypotheses, references, (hypothesis, refs) =>
    chrfStatistics(hypothesis, refs, options),
  );
  const orders = (options.charOrder ?? 6) + (options.wordOrder ?? 0);
  return chrfFromStatistics(sumRows(segments, 3 * orders), options);
}

export function sentenceChrf(
  hypothesis: string,
  references: readonly string[],
  options: ChrfOptions = {},
): number {
  return chrfFromStatistics(chrfStatistics(hypothesis, references, options), options);
}

/** The statistics against the reference that scores best alone (the first of equals). */
function chrfStatistics(
  hypothesis: string,
  references: readonly string[],
  options: ChrfOptions,
): ChrfStatistics {
  checkReferences(references, "chrF");
  const hypothesisNgrams = chrfNgrams(hypothesis, options);
  let best: ChrfStatistics = [];
  let bestScore = -1;
  for (const reference of references) {
    const referenceNgrams = chrfNgrams(reference, options);
    const stats = hypothesisNgrams.flatMap((ngrams, k) => {
      const referenceOrder = referenceNgrams[k] ?? new Map<string, number>();
      // sacreBLEU counts no hypothesis n-grams of an order the reference has none of.
      return [
        referenceOrder.size > 0 ? totalCount(ngrams) : 0,
        totalCount(referenceOrder),
        sharedCount(ngrams, referenceOrder),
      ];
    });
    const score = chrfFromStatistics(stats, options);
    if (score > bestScore) [best, bestScore] = [stats, score];
  }
  return best;
}

/** sacreBLEU's CHRF._compute_f_score. */
function chrfFromStatistics(stats: ChrfStatistics, options: ChrfOptions): number {
  const factor = (options.beta ?? 2) ** 2;
  const eps = 1e-16;
  let epsScore = 0;
  let precisionSum = 0;
  let recallSum = 0;
  let effectiveOrder = 0;
  for (let k = 0; k < stats.length; k += 3) {
    const [hypothesisCount, referenceCount, matchCount] = stats.slice(k, k + 3) as [
      number,
      number,
      number,
    ];
    const precision = hypothesisCount > 0 ? matchCount / hypothesisCount : eps;
    const recall = referenceCount > 0 ? matchCount / referenceCount : eps;
    const denominator = factor * precision + recall;
    epsScore += denominator > 0 ? ((1 + factor) * precision * recall) / denominator : eps;
    if (hypothesisCount > 0 && referenceCount > 0) {
      precisionSum += precision;
      recallSum += recall;
      effectiveOrder += 1;
    }
  }
  if (options.epsSmoothing) return (100 * epsScore) / (stats.length / 3);
  if (effectiveOrder === 0) return 0;
  const precision = precisionSum / effectiveOrder;
  const recall = recallSum / effectiveOrder;
  if (precision + recall === 0) return 0;
  return (100 * (1 + factor) * precision * recall) / (factor * precision + recall);
}

/** The character n-grams of each order, then (chrF++) the word n-grams. */
function chrfNgrams(text: string, options: ChrfOptions): Map<string, number>[] {
  const cased = options.lowercase ? text.toLowerCase() : text;
  const characters = options.whitespace ? cased : splitWhitespace(cased).join("");
  const starts = codePointStarts(characters);
  const ngrams: Map<string, number>[] = [];
  for (let n = 1; n <= (options.charOrder ?? 6); n++) {
    ngrams.push(characterNgrams(characters, starts, n));
  }
  const wordOrder = options.wordOrder ?? 0;
  if (wordOrder > 0) {
    const words = separatePunctuation(cased);
    for (let n = 1; n <= wordOrder; n++) ngrams.push(countNgrams(words, n));
  }
  return ngrams;
}

const isHighSurrogate = (unit: number) => unit >= 0xd800 && unit <= 0xdbff;
const isLowSurrogate = (unit: number) => unit >= 0xdc00 && unit <= 0xdfff;
/** One code point: one UTF-16 unit, or a surrogate pair. */
const isOneCharacter = (word: string) =>
  word.length === 1 || (word.length === 2 && isHighSurrogate(word.charCodeAt(0)));

/** Where each code point starts (Python counts code points), and the string's end. */
function codePointStarts(text: string): number[] {
  const starts: number[] = [];
  for (let i = 0; i < text.length; i++) {
    if (!(isLowSurrogate(text.charCodeAt(i)) && isHighSurrogate(text.charCodeAt(i - 1)))) {
      starts.push(i);
    }
  }
  starts.push(text.length);
  return starts;
}

/** n-grams of code points, each sliced from the string rather than built up. */
function characterNgrams(text: string, starts: readonly number[], n: number): Map<string, number> {
  const counts = new Map<string, number>();
  for (let i = 0; i + n < starts.length; i++) {
    const ngram = text.slice(starts[i], starts[i + n]);
    counts.set(ngram, (counts.get(ngram) ?? 0) + 1);
  }
  return counts;
}

/**
 * chrF++'s word tokenization: a punctuation mark at the end of a word (or else at its start) is
 * split off; "(hi)" gives "(hi" and ")", as sacreBLEU's _remove_punctuation.
 */
function separatePunctuation(text: string): string[] {
  const words: string[] = [];
  for (const word of splitWhitespace(text)) {
    const last = word.at(-1) ?? "";
    const first = word[0] ?? "";
    if (isOneCharacter(word)) words.push(word);
    else if (isAsciiPunctuation(last)) words.push(word.slice(0, -1), last);
    else if (isAsciiPunctuation(first)) words.push(first, word.slice(1));
    else words.push(word);
  }
  return words;
}
