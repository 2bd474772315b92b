/**
 * Text and n-gram helpers the metrics share. The reference implementations (sacreBLEU, rouge-score,
 * SQuAD's evaluation script) are Python, so where their results hang on Python's string semantics
 * these follow Python rather than JavaScript.
 */

// Python's str.split() and str.rstrip() whitespace. JavaScript's \s differs: it has U+FEFF but
// lacks U+001C-U+001F and U+0085.
// biome-ignore lint/suspicious/noControlCharactersInRegex: U+001C-U+001F are whitespace to Python.
const whitespaceRun = /[\t-\r\x1c-\x20\x85\xa0\u1680\u2000-\u200a\u2028\u2029\u202f\u205f\u3000]+/;
const trailingWhitespace = new RegExp(`${whitespaceRun.source}$`);

/** Python's string.punctuation: ASCII's punctuation and symbols, all of them and no others. */
export const asciiPunctuation = /[!-/:-@[-`{-~]/g;
const oneAsciiPunctuation = new RegExp(`^${asciiPunctuation.source}$`);

export function isAsciiPunctuation(char: string): boolean {
  return oneAsciiPunctuation.test(char);
}

/** Python's `text.split()`: the words between runs of whitespace, none empty. */
export function splitWhitespace(text: string): string[] {
  return text.split(whitespaceRun).filter((word) => word.length > 0);
}

/** Python's `text.rstrip()`. */
export function stripTrailingWhitespace(text: string): string {
  return text.replace(trailingWhitespace, "");
}

/** How often each n-gram of `tokens` occurs; an n-gram's key is its tokens joined by spaces. */
export function countNgrams(tokens: readonly string[], n: number): Map<string, number> {
  const counts = new Map<string, number>();
  for (let i = 0; i + n <= tokens.length; i++) {
    const ngram = n === 1 ? (tokens[i] as string) : tokens.slice(i, i + n).join(" ");
    counts.set(ngram, (counts.get(ngram) ?? 0) + 1);
  }
  return counts;
}

/** The n-grams the two counts share, each counted as often as it occurs in both (clipped). */
export function sharedCount(
  a: ReadonlyMap<string, number>,
  b: ReadonlyMap<string, number>,
): number {
  let shared = 0;
  for (const [ngram, count] of a) shared += Math.min(count, b.get(ngram) ?? 0);
  return shared;
}

export function totalCount(counts: ReadonlyMap<string, number>): number {
  let total = 0;
  for (const count of counts.values()) total += count;
  return total;
}

/** The element-wise sum of equal-length rows of counts. */
export function sumRows(rows: readonly (readonly number[])[], width: number): number[] {
  let sum = new Array<number>(width).fill(0);
  for (const row of rows) sum = sum.map((total, k) => total + (row[k] ?? 0));
  return sum;
}

/** The harmonic mean of precision and recall, 0 where both are 0. */
export function f1(precision: number, recall: number): number {
  return precision + recall > 0 ? (2 * precision * recall) / (precision + recall) : 0;
}

/** A corpus metric's statistics of each segment: a hypothesis and its references. */
export function segmentStatistics<T>(
  metric: string,
  hypotheses: readonly string[],
  references: readonly (readonly string[])[],
  statisticsOf: (hypothesis: string, references: readonly string[]) => T,
): T[] {
  if (hypotheses.length !== references.length) {
    throw new Error(
      `${metric}: ${hypotheses.length} hypotheses but ${references.length} sets of references`,
    );
  }
  return hypotheses.map((hypothesis, i) => statisticsOf(hypothesis, references[i] ?? []));
}

/** Throws unless an example has at least one reference: every metric here needs one. */
export function checkReferences(references: readonly string[], metric: string): void {
  if (references.length === 0) {
    throw new Error(`${metric}: an example has no reference to score its prediction against`);
  }
}
