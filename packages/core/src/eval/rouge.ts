/**
 * ROUGE-N and ROUGE-L as Google's rouge-score package defines them (rouge_scorer.py, tokenize.py),
 * with its defaults: its tokenizer, no stemming. rouge-score scores one reference; with several,
 * this takes the reference whose F-measure is highest, as its RougeScorer.score_multi does.
 */
import { checkReferences, countNgrams, f1, sharedCount, totalCount } from "./text.ts";

export interface RougeScore {
  precision: number;
  recall: number;
  fmeasure: number;
}

/** rouge-score's default tokenizer: lower-cased runs of [a-z0-9]; anything else separates. */
export function rougeTokens(text: string): string[] {
  return text
    .toLowerCase()
    .split(/[^a-z0-9]+/)
    .filter((token) => token.length > 0);
}

/** ROUGE-N: the n-grams the prediction shares with the reference. */
export function rougeN(prediction: string, references: readonly string[], n: number): RougeScore {
  if (!Number.isInteger(n) || n < 1)
    throw new Error(`ROUGE-N needs a positive integer n, got ${n}`);
  checkReferences(references, `rouge${n}`);
  const predicted = countNgrams(rougeTokens(prediction), n);
  return best(references, (reference) => {
    const target = countNgrams(rougeTokens(reference), n);
    const shared = sharedCount(target, predicted);
    // rouge-score divides by at least 1, so a text too short for one n-gram scores 0.
    return score(
      shared / Math.max(totalCount(predicted), 1),
      shared / Math.max(totalCount(target), 1),
    );
  });
}

/** ROUGE-L: the longest common subsequence of the prediction's and the reference's tokens. */
export function rougeL(prediction: string, references: readonly string[]): RougeScore {
  checkReferences(references, "rougeL");
  const predicted = rougeTokens(prediction);
  return best(references, (reference) => {
    const target = rougeTokens(reference);
    if (predicted.length === 0 || target.length === 0) return score(0, 0);
    const common = lcsLength(target, predicted);
    return score(common / predicted.length, common / target.length);
  });
}

/** The length of the longest common subsequence, by dynamic programming over two rows. */
export function lcsLength(a: readonly string[], b: readonly string[]): number {
  let previous = new Int32Array(b.length + 1);
  let current = new Int32Array(b.length + 1);
  for (let i = 1; i <= a.length; i++) {
    for (let j = 1; j <= b.length; j++) {
      current[j] =
        a[i - 1] === b[j - 1]
          ? (previous[j - 1] as number) + 1
          : Math.max(previous[j] as number, current[j - 1] as number);
    }
    [previous, current] = [current, previous];
  }
  return previous[b.length] as number;
}

function score(precision: number, recall: number): RougeScore {
  return { precision, recall, fmeasure: f1(precision, recall) };
}

/** The reference scoring the highest F-measure; the first of equals, as numpy's argmax. */
function best(references: readonly string[], scoreOf: (reference: string) => RougeScore) {
  return references
    .map(scoreOf)
    .reduce((top, candidate) => (candidate.fmeasure > top.fmeasure ? candidate : top));
}
