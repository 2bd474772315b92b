// chrF against sacreBLEU: the values its own test suite publishes (test/test_chrf.py,
// mjpost/sacrebleu f615c72), and chrF2 / chrF++ values that sacreBLEU 2.6.0 computed with
// sacrebleu-reference.py beside this file.
import { describe, expect, it } from "vitest";
import { type ChrfOptions, corpusChrf, sentenceChrf } from "../../src/eval/chrf.ts";

// test_chrf.py calls corpus_chrf(hypotheses, [references], char_order=6, word_order=0, beta=3).
const beta3 = (options: ChrfOptions = {}): ChrfOptions => ({ beta: 3, ...options });
const oneReferenceEach = (references: readonly string[]) => references.map((r) => [r]);

const risk = [
  " risk assessment must be made of those who are qualified and expertise in the sector - these are the scientists .",
  "risk assessment has to be undertaken by those who are qualified and expert in that area - that is the scientists .",
] as const;
const obama = [
  " Die    Beziehung zwischen  Obama und Netanjahu ist nicht gerade  freundlich. ",
  "Das Verhältnis zwischen Obama und Netanyahu ist nicht gerade freundschaftlich.",
] as const;
const mauer = "Niemand hat die Absicht, eine Mauer zu errichten";

// test_chrf.py's sentence-level cases.
const sentences = [
  [
    "Co nás nejvíc trápí, protože lékaři si vybírají, kdo bude žít a kdo zemře.",
    "Nejvíce smutní jsme z toho, že musíme rozhodovat o tom, kdo bude žít a kdo zemře.",
  ],
  [
    "Nebo prostě nemají vybavení, které by jim pomohlo, uvedli lékaři.",
    "A někdy nemáme ani potřebný materiál, abychom jim pomohli, popsali lékaři.",
  ],
  [
    "Lapali po dechu, jejich životy skončily dřív, než skutečně začaly.",
    "Lapali po dechu a pak jejich život skončil - dřív, než skutečně mohl začít, připomněli.",
  ],
] as const;

describe("chrF (sacreBLEU test_chrf.py)", () => {
  it.each([
    [["abcdefg"], ["hijklmnop"], 0],
    [["a"], ["b"], 0],
    [[""], ["b"], 0],
    [[""], ["ref"], 0],
    [[""], ["reference"], 0],
    [["aa"], ["ab"], 8.3333],
    [["a", "b"], ["a", "c"], 8.3333],
    [["a"], ["a"], 16.6667],
    [["a b c"], ["a b c"], 50],
    [["a b c"], ["abc"], 50],
    [[risk[0]], [risk[1]], 63.36173],
    [[obama[0]], [obama[1]], 64.1302698],
    [[mauer], [mauer], 100],
  ])("test_chrf (epsilon smoothing): %j vs %j", (hypotheses, references, expected) => {
    const score = corpusChrf(
      hypotheses,
      oneReferenceEach(references),
      beta3({ epsSmoothing: true }),
    );
    expect(Math.abs(score - expected)).toBeLessThan(1e-4);
  });

  it.each([
    [["a"], ["a"], 100],
    [[""], ["reference"], 0],
    [["a b c"], ["a b c"], 100],
    [["a b c"], ["abc"], 100],
    [[""], ["c"], 0],
    [["a", "b"], ["a", "c"], 50],
    [["aa"], ["ab"], 25],
  ])("test_chrf_eff_order: %j vs %j", (hypotheses, references, expected) => {
    const score = corpusChrf(hypotheses, oneReferenceEach(references), beta3());
    expect(Math.abs(score - expected)).toBeLessThan(1e-4);
  });

  it.each([
    [
      "Die Beziehung zwischen Obama und Netanjahu ist nicht gerade freundlich.",
      obama[1],
      67.3481606,
    ],
    [risk[0].trim(), risk[1], 65.2414427],
  ])("test_chrf_keep_whitespace: %s", (hypothesis, reference, expected) => {
    const score = corpusChrf([hypothesis], [[reference]], beta3({ whitespace: true }));
    expect(Math.abs(score - expected)).toBeLessThan(1e-4);
  });

  it.each([
    [...sentences[0], 39.14078509],
    [...sentences[1], 31.22557079],
    [...sentences[2], 57.15704367],
  ])("test_chrf_sentence_level (epsilon smoothing): %s", (hypothesis, reference, expected) => {
    const score = sentenceChrf(hypothesis, [reference], { epsSmoothing: true });
    expect(Math.abs(score - expected)).toBeLessThan(1e-4);
  });
});

describe("chrF2 and chrF++ with sacreBLEU's defaults (values from sacrebleu-reference.py)", () => {
  // sacreBLEU test_bleu.py's README example.
  const hyps = ["The dog bit the man.", "It wasn't surprising.", "The man had just bitten him."];
  const refs = [
    ["The dog bit the man.", "The dog had bit the man."],
    ["It was not unexpected.", "No one was surprised."],
    ["The man bit him first.", "The man had bitten the dog."],
  ];

  it("scores a corpus, each segment against its best reference", () => {
    expect(corpusChrf(hyps, refs)).toBeCloseTo(59.72751782684763, 9);
    expect(corpusChrf(hyps, refs, { wordOrder: 2 })).toBeCloseTo(59.15310444399262, 9);
    expect(corpusChrf(hyps, refs, { lowercase: true })).toBeCloseTo(60.02302725455764, 9);
  });

  it.each([
    [...sentences[0], 39.14081690316369, 40.3769131075315],
    [...sentences[1], 31.225641469352972, 28.927323825104185],
    [...sentences[2], 57.157427512824064, 54.134581828446215],
  ])("scores a sentence: %s", (hypothesis, reference, chrf, chrfPlusPlus) => {
    expect(sentenceChrf(hypothesis, [reference])).toBeCloseTo(chrf, 9);
    expect(sentenceChrf(hypothesis, [reference], { wordOrder: 2 })).toBeCloseTo(chrfPlusPlus, 9);
  });

  it("counts characters as code points, as Python does, so an emoji is one character", () => {
    const hypothesis = "I 😀 love it 🎉!";
    const reference = "I 😀 loved it 🎉 !";
    expect(sentenceChrf(hypothesis, [reference])).toBeCloseTo(56.72824252508575, 9);
    expect(sentenceChrf(hypothesis, [reference], { wordOrder: 2 })).toBeCloseTo(
      60.48939155357671,
      9,
    );
  });
});
