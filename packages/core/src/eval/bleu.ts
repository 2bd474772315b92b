/**
 * BLEU (Papineni et al., 2002) as sacreBLEU computes it (metrics/bleu.py), on its 0-100 scale:
 * 13a tokenization, clipped n-gram matches against all of a hypothesis's references at once, the
 * reference length closest to the hypothesis's (the shorter on a tie), the brevity penalty, and
 * sacreBLEU's smoothing methods. Corpus BLEU adds the statistics of all segments before scoring.
 */

import {
  checkReferences,
  countNgrams,
  segmentStatistics,
  sharedCount,
  splitWhitespace,
  stripTrailingWhitespace,
  sumRows,
} from "./text.ts";
import { tokenize13a } from "./tokenizer-13a.ts";

/**
 * Chen & Cherry (2014)'s methods as sacreBLEU names them: "none"; "floor" (method 1, a zero match
 * count becomes smoothValue, default 0.1); "add-k" (method 2, smoothValue added to the counts of
 * orders above 1, default 1); "exp" (method 3, mteval-v13a's: the k-th zero precision becomes
 * 1 / (2^k total)).
 */
export type BleuSmoothing = "none" | "floor" | "add-k" | "exp";

export interface BleuOptions {
  /** "13a" (sacreBLEU's default) or "none" for text that is already tokenized. */
  tokenize?: "13a" | "none";
  lowercase?: boolean;
  /** Default "exp", as sacreBLEU's. */
  smoothing?: BleuSmoothing;
  smoothValue?: number;
  /** Default 4. */
  maxNgramOrder?: number;
  /**
   * Average only the orders up to the last that has n-grams in the hypotheses, so a short
   * sentence is not scored 0 for having no 4-grams. Default: off for corpus BLEU, on for sentence
   * BLEU, as sacreBLEU's corpus_bleu and sentence_bleu.
   */
  effectiveOrder?: boolean;
}

/** What BLEU is computed from; a corpus's are the sums of its segments'. */
export interface BleuStatistics {
  hypothesisLength: number;
  referenceLength: number;
  /** Clipped matches of each n-gram order, from 1. */
  matches: number[];
  /** The hypothesis's n-grams of each order. */
  totals: number[];
}

export interface BleuScore extends BleuStatistics {
  /** 0 to 100. */
  score: number;
  /** Each order's precision, 0 to 100, after smoothing. */
  precisions: number[];
  brevityPenalty: number;
}

const smoothingDefaults: Record<BleuSmoothing, number> = {
  none: 0,
  floor: 0.1,
  "add-k": 1,
  exp: 0,
};
// sacreBLEU's my_log: the log of a zero precision is this rather than -Infinity.
const logOfZero = -9999999999;

export function corpusBleu(
  hypotheses: readonly string[],
  references: readonly (readonly string[])[],
  options: BleuOptions = {},
): BleuScore {
  const order = options.maxNgramOrder ?? 4;
  const segments = segmentStatistics("BLEU", hypotheses, references, (hypothesis, refs) =>
    bleuStatistics(hypothesis, refs, options),
  );
  const sum: BleuStatistics = {
    hypothesisLength: segments.reduce((total, segment) => total + segment.hypothesisLength, 0),
    referenceLength: segments.reduce((total, segment) => total + segment.referenceLength, 0),
    matches: sumRows(
      segments.map((segment) => segment.matches),
      order,
    ),
    totals: sumRows(
      segments.map((segment) => segment.totals),
      order,
    ),
  };
  return bleuFromStatistics(sum, options);
}

/** sacreBLEU's sentence_bleu: effective order on unless turned off. */
export function sentenceBleu(
  hypothesis: string,
  references: readonly string[],
  options: BleuOptions = {},
): BleuScore {
  return bleuFromStatistics(bleuStatistics(hypothesis, references, options), {
    effectiveOrder: true,
    ...options,
  });
}

/** One segment's statistics: its n-grams clipped by the most any one reference has of each. */
export function bleuStatistics(
  hypothesis: string,
  references: readonly string[],
  options: BleuOptions = {},
): BleuStatistics {
  checkReferences(references, "BLEU");
  const order = options.maxNgramOrder ?? 4;
  const hypothesisTokens = bleuTokens(hypothesis, options);
  const referenceTokens = references.map((reference) => bleuTokens(reference, options));
  const matches: number[] = [];
  const totals: number[] = [];
  for (let n = 1; n <= order; n++) {
    const hypothesisNgrams = countNgrams(hypothesisTokens, n);
    const referenceNgrams = mostOfEach(referenceTokens.map((tokens) => countNgrams(tokens, n)));
    matches.push(sharedCount(hypothesisNgrams, referenceNgrams));
    totals.push(Math.max(hypothesisTokens.length - n + 1, 0));
  }
  return {
    hypothesisLength: hypothesisTokens.length,
    referenceLength: closestLength(
      hypothesisTokens.length,
      referenceTokens.map((tokens) => tokens.length),
    ),
    matches,
    totals,
  };
}

/** sacreBLEU's BLEU.compute_bleu. */
export function bleuFromStatistics(stats: BleuStatistics, options: BleuOptions = {}): BleuScore {
  const order = options.maxNgramOrder ?? 4;
  const smoothing = options.smoothing ?? "exp";
  const smoothValue = options.smoothValue ?? smoothingDefaults[smoothing];
  const { hypothesisLength, referenceLength } = stats;
  let brevityPenalty = 1;
  if (hypothesisLength < referenceLength) {
    brevityPenalty = hypothesisLength > 0 ? Math.exp(1 - referenceLength / hypothesisLength) : 0;
  }
  const matches = stats.matches.slice(0, order);
  const totals = stats.totals.slice(0, order);
  const precisions = new Array<number>(order).fill(0);
  const result = { ...stats, matches, totals, precisions, brevityPenalty };
  if (matches.every((count) => count === 0)) return { ...result, score: 0 };

  let mtevalDivisor = 1;
  let usedOrders = order;
  for (let n = 0; n < order; n++) {
    let matched = matches[n] ?? 0;
    let total = totals[n] ?? 0;
    if (smoothing === "add-k" && n > 0) {
      matched += smoothValue;
      total += smoothValue;
      [matches[n], totals[n]] = [matched, total];
    }
    if (total === 0) break;
    if (options.effectiveOrder) usedOrders = n + 1;
    if (matched > 0) precisions[n] = (100 * matched) / total;
    else if (smoothing === "exp") {
      mtevalDivisor *= 2;
      precisions[n] = 100 / (mtevalDivisor * total);
    } else if (smoothing === "floor") precisions[n] = (100 * smoothValue) / total;
  }
  const logSum = precisions
    .slice(0, usedOrders)
    .reduce((sum, precision) => sum + (precision === 0 ? logOfZero : Math.log(precision)), 0);
  return { ...result, score: brevityPenalty * Math.exp(logSum / usedOrders) };
}

function bleuTokens(text: string, options: BleuOptions): string[] {
  const cased = options.lowercase ? text.toLowerCase() : text;
  const stripped = stripTrailingWhitespace(cased);
  return splitWhitespace(options.tokenize === "none" ? stripped : tokenize13a(stripped));
}

/** Each n-gram's count in the reference that has the most of it. */
function mostOfEach(counts: readonly Map<string, number>[]): ReadonlyMap<string, number> {
  const [first, ...others] = counts;
  if (others.length === 0) return first ?? new Map();
  const most = new Map(first);
  for (const other of others) {
    for (const [ngram, count] of other) most.set(ngram, Math.max(count, most.get(ngram) ?? 0));
  }
  return most;
}

/** The reference length nearest the hypothesis's; the shorter of two as near. */
function closestLength(hypothesisLength: number, referenceLengths: readonly number[]): number {
  let closest = referenceLengths[0] ?? 0;
  for (const length of referenceLengths) {
    const distance = Math.abs(hypothesisLength - length);
    const closestDistance = Math.abs(hypothesisLength - closest);
    if (distance < closestDistance || (distance === closestDistance && length < closest)) {
      closest = length;
    }
  }
  return closest;
}
