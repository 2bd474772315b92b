// BLEU against sacreBLEU: the values its own test suite publishes (test/test_bleu.py,
// test/test_sentence_bleu.py, mjpost/sacrebleu f615c72), and a few more that sacreBLEU 2.6.0
// computed with sacrebleu-reference.py beside this file.
import { describe, expect, it } from "vitest";
import {
  type BleuOptions,
  bleuFromStatistics,
  corpusBleu,
  sentenceBleu,
} from "../../src/eval/bleu.ts";

/** sacreBLEU takes reference streams (stream k holds every segment's k-th reference, or None). */
function bySegment(streams: readonly (readonly (string | null)[])[]): string[][] {
  const segments = streams[0]?.length ?? 0;
  return Array.from({ length: segments }, (_, i) =>
    streams.map((stream) => stream[i]).filter((r): r is string => typeof r === "string"),
  );
}

// test_bleu.py's README example.
const refs = bySegment([
  ["The dog bit the man.", "It was not unexpected.", "The man bit him first."],
  ["The dog had bit the man.", "No one was surprised.", "The man had bitten the dog."],
]);
const hyps = ["The dog bit the man.", "It wasn't surprising.", "The man had just bitten him."];

/** sacreBLEU's raw_corpus_bleu: no tokenization, floor smoothing, effective order. */
const raw = (smoothValue?: number): BleuOptions => ({
  tokenize: "none",
  smoothing: "floor",
  smoothValue: smoothValue ?? 0.1,
  effectiveOrder: true,
});

describe("corpus BLEU (sacreBLEU test_bleu.py)", () => {
  it.each([
    ["defaults", hyps, {}, 48.530827],
    ["empty hypotheses are kept", ["", "", ""], {}, 0],
    ["tokenize none", hyps, { tokenize: "none" }, 49.1919566],
    ["tokenize 13a", hyps, { tokenize: "13a" }, 48.530827],
    ["smoothing none", hyps, { smoothing: "none" }, 48.530827],
  ] as const)("test_corpus_bleu: %s", (_, hypotheses, options, expected) => {
    expect(corpusBleu(hypotheses, refs, options as BleuOptions).score).toBeCloseTo(expected, 6);
  });

  it.each([
    [["this is a test", "another test"], [["ref1", "ref2"]], 0],
    [["this is a test"], [["this is a test"]], 1],
    [["this is a fest"], [["this is a test"]], 0.223606797749979],
  ])("test_raw_bleu: %j", (hypotheses, streams, expected) => {
    const score = corpusBleu(hypotheses, bySegment(streams), raw(0.01)).score / 100;
    expect(score).toBeCloseTo(expected, 8);
  });

  it.each([
    ["test", "a test", 0.3678794411714425],
    ["a test", "a test", 1],
    ["a little test", "a test", 0.03218297948685433],
  ])("test_effective_order: %s vs %s", (hypothesis, reference, expected) => {
    expect(corpusBleu([hypothesis], [[reference]], raw(0.01)).score / 100).toBeCloseTo(expected, 8);
  });

  it("test_statistics: clipped matches and totals of each order", () => {
    const score = corpusBleu(
      ["am I am a character sequence"],
      [["I am a symbol string sequence a a"]],
      raw(0.01),
    );
    expect(score.matches).toEqual([4, 2, 1, 0]);
    expect(score.totals).toEqual([6, 5, 4, 3]);
  });

  it("test_offset: floor smoothing's value, and its 0.1 default", () => {
    const hypotheses = ["am I am a character sequence"];
    const references = [["I am a symbol string sequence a a"]];
    expect(corpusBleu(hypotheses, references, raw(0)).score).toBe(0);
    expect(corpusBleu(hypotheses, references, raw()).score / 100).toBeCloseTo(0.1555722182, 8);
  });

  it.each([
    [1, "77.65"],
    [2, "60.50"],
    [3, "53.93"],
    [4, "48.53"],
    [5, "46.14"],
    [6, "43.28"],
  ])("test_max_ngram_order: order %i", (maxNgramOrder, expected) => {
    expect(corpusBleu(hyps, refs, { maxNgramOrder }).score.toFixed(2)).toBe(expected);
  });
});

describe("BLEU from statistics (sacreBLEU test_bleu.py)", () => {
  it("test_scoring: no smoothing needed", () => {
    const stats = {
      matches: [9, 7, 5, 3],
      totals: [10, 8, 6, 4],
      hypothesisLength: 11,
      referenceLength: 11,
    };
    expect(bleuFromStatistics(stats, { smoothing: "none" }).score / 100).toBeCloseTo(
      0.8375922397,
      8,
    );
  });

  it.each([
    [[0, 0, 0, 0], [4, 4, 2, 1], 0, 1, 0],
    [[0, 0, 0, 0], [10, 11, 12, 0], 14, 10, 0],
    [[0, 0, 0, 0], [0, 0, 0, 0], 0, 0, 0],
    [[6, 5, 4, 0], [6, 5, 4, 3], 6, 6, 0],
    [[0, 0, 0, 0], [0, 0, 0, 0], 0, 0, 0.1],
    [[0, 0, 0, 0], [0, 0, 0, 0], 1, 5, 0.01],
  ])("test_degenerate_statistics: %j of %j scores 0", (matches, totals, hyp, ref, smoothValue) => {
    const stats = { matches, totals, hypothesisLength: hyp, referenceLength: ref };
    expect(bleuFromStatistics(stats, { smoothing: "floor", smoothValue }).score).toBe(0);
  });
});

describe("sentence BLEU (sacreBLEU test_sentence_bleu.py)", () => {
  // Example from sacreBLEU issue #98.
  const ref = "producţia de zahăr brut se exprimă în zahăr alb;";
  const sys = "Producția de zahăr primă va fi exprimată în ceea ce privește zahărul alb;";

  it.each([
    [{ smoothing: "exp" }, 8.493],
    [{ smoothing: "none" }, 0],
    [{ smoothing: "floor" }, 4.51688],
    [{ smoothing: "floor", smoothValue: 0.1 }, 4.51688],
    [{ smoothing: "floor", smoothValue: 0.5 }, 10.1],
    [{ smoothing: "add-k" }, 14.882],
    [{ smoothing: "add-k", smoothValue: 1 }, 14.882],
    [{ smoothing: "add-k", smoothValue: 2 }, 21.389],
    [{ smoothing: "exp", tokenize: "none" }, 7.347],
  ] as const)("test_api_sentence_bleu: %j", (options, expected) => {
    expect(
      Math.abs(sentenceBleu(sys, [ref], options as BleuOptions).score - expected),
    ).toBeLessThan(1e-3);
  });

  it.each(["exp", "none", "floor", "add-k"] as const)(
    "test_api_sentence_bleu_zero: %s, no match at all",
    (smoothing) => {
      expect(sentenceBleu("this is a cat", ["okay thanks"], { smoothing }).score).toBe(0);
    },
  );

  it("defaults to the exp smoothing and the effective order, as sacreBLEU's sentence_bleu", () => {
    // sacrebleu-reference.py: sentence_bleu on the README example's segments.
    const expected = [100.00000000000004, 14.794015674776452, 29.071536848410968];
    hyps.forEach((hypothesis, i) => {
      expect(sentenceBleu(hypothesis, refs[i] ?? []).score).toBeCloseTo(
        expected[i] ?? Number.NaN,
        9,
      );
    });
    // Without the effective order, "test" alone has no bigrams and scores nothing.
    expect(sentenceBleu("test", ["a test"], { effectiveOrder: false }).score).toBe(0);
    expect(sentenceBleu("test", ["a test"]).score).toBeCloseTo(36.78794411714425, 9);
  });
});

describe("corpus BLEU beyond sacreBLEU's tests (values from sacrebleu-reference.py)", () => {
  it("lower-cases both sides when asked", () => {
    const shouted = hyps.map((h) => h.toUpperCase());
    expect(corpusBleu(shouted, refs).score).toBeCloseTo(3.6468985201338513, 9);
    expect(corpusBleu(shouted, refs, { lowercase: true }).score).toBeCloseTo(48.530827009929865, 9);
  });

  it("takes any number of references per segment", () => {
    const score = corpusBleu(
      ["the cat sat on the mat", "a quick brown fox", "hello there"],
      bySegment([
        ["the cat is on the mat", "a fast brown fox jumps", "hello there"],
        ["there is a cat on the mat", null, "hi there friend"],
      ]),
    );
    expect(score.score).toBeCloseTo(28.832682261932447, 9);
  });

  it("says which segment lacks references", () => {
    expect(() => corpusBleu(["a"], [[]])).toThrow(/no reference/);
    expect(() => corpusBleu(["a", "b"], [["a"]])).toThrow(/2 hypotheses but 1 sets/);
  });
});
