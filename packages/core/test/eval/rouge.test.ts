// ROUGE against Google's rouge-score: the values its test suite publishes
// (google-research/google-research rouge/rouge_scorer_test.py, whose ROUGE-1.5.5 values come from
// the lines of rouge/testdata/target.txt and prediction.txt copied below), and hand-worked cases.
import { describe, expect, it } from "vitest";
import { lcsLength, type RougeScore, rougeL, rougeN, rougeTokens } from "../../src/eval/rouge.ts";

// rouge/testdata/target.txt and prediction.txt, lines 1 and 2 (random text, read with readlines()).
const targets = [
  "ZfbCUIUuePaiLVUlCaUXxkpu XPeWing tUHfPMuZ',-Xd Y BrUgVJing M-HV.-DgdDaY.rFDJCRing Ht-LM EKBDXkME,yz'RBr q'wtion wIojNbN wL,b .a-'XdQggyFl jB-RPP'iyOIcUxer tKM L\n",
  "KsJdPByEtAor fE-Qg Dpdbring cw-WeFyu vC MoBL Xdn g wkvcEiGvKtion BDFhrpMtion psing sbKao Q m qiing LMmer HqqLFXe,XPY,J XsurkMer ,ed nB'wH'bWVHjWFEing tQ.saefZwJtKrTlixYpMMsJing UCAPwNHeYVjDing c T BUySKtion gMPfJpwGw p'NvxAoping eu pBwMBKV'I DNxqelhu,PHPxDEq,mtion SN\n",
];
const predictions = [
  "rFDJCRtion Ht-LM EKtDXkME,yz'RBr q'wer wrojNbN wL,b .a-'XdQggyFl jB-RPP'iyOIcUxi\n",
  "n cw-WeFyu vC MoBL Xdn g wkvcEiGvKtion BDFhrpMer pstion sbKao Q m qier LMmed HqqLFXe,XPY,J XsurkMeo ,ed nB'wH'bWVHjWFEer tQ.saefZwJtKrTlixYpMMNJtion UCAPwNHeYVjD\n",
];

/** rouge_scorer_test.py's assertAlmostEqual(expected, actual, places). */
function expectScore(actual: RougeScore, expected: RougeScore, places = 7) {
  expect(actual.precision).toBeCloseTo(expected.precision, places);
  expect(actual.recall).toBeCloseTo(expected.recall, places);
  expect(actual.fmeasure).toBeCloseTo(expected.fmeasure, places);
}

describe("ROUGE (rouge-score rouge_scorer_test.py)", () => {
  it("testRouge1", () => {
    expectScore(rougeN("testing", ["testing one two"], 1), {
      precision: 1,
      recall: 1 / 3,
      fmeasure: 1 / 2,
    });
  });

  it.each([1, 2])("testRougeEmpty: rouge%i", (n) => {
    expectScore(rougeN("", ["testing one two"], n), { precision: 0, recall: 0, fmeasure: 0 });
  });

  it("testRougeEmpty: rougeL", () => {
    expectScore(rougeL("", ["testing one two"]), { precision: 0, recall: 0, fmeasure: 0 });
  });

  it("testRouge2", () => {
    expectScore(rougeN("testing one", ["testing one two"], 2), {
      precision: 1,
      recall: 1 / 2,
      fmeasure: 2 / 3,
    });
  });

  it.each([
    ["testRougeLConsecutive", "testing one"],
    ["testRougeLNonConsecutive", "testing two"],
  ])("%s", (_, prediction) => {
    expectScore(rougeL(prediction, ["testing one two"]), {
      precision: 1,
      recall: 2 / 3,
      fmeasure: 4 / 5,
    });
  });

  it("testMultipleRougeTypes", () => {
    const expected = { precision: 1, recall: 2 / 3, fmeasure: 4 / 5 };
    expectScore(rougeN("testing one", ["testing one two"], 1), expected);
    expectScore(rougeL("testing one", ["testing one two"]), expected);
  });

  it("testRouge1AgainstRouge155", () => {
    expectScore(
      rougeN(predictions[0] as string, [targets[0] as string], 1),
      { recall: 0.40741, precision: 0.6875, fmeasure: 0.51163 },
      5,
    );
    expectScore(
      rougeN(predictions[1] as string, [targets[1] as string], 1),
      { recall: 0.40476, precision: 0.65385, fmeasure: 0.5 },
      5,
    );
  });

  it("testRouge2AgainstRouge155", () => {
    expectScore(
      rougeN(predictions[0] as string, [targets[0] as string], 2),
      { recall: 0.30769, precision: 0.53333, fmeasure: 0.39024 },
      5,
    );
    expectScore(
      rougeN(predictions[1] as string, [targets[1] as string], 2),
      { recall: 0.29268, precision: 0.48, fmeasure: 0.36364 },
      5,
    );
  });

  it("testRougeLAgainstRouge155", () => {
    expectScore(
      rougeL(predictions[0] as string, [targets[0] as string]),
      { recall: 0.40741, precision: 0.6875, fmeasure: 0.51163 },
      5,
    );
    expectScore(
      rougeL(predictions[1] as string, [targets[1] as string]),
      { recall: 0.40476, precision: 0.65385, fmeasure: 0.5 },
      5,
    );
  });

  it("testLcsTable", () => {
    const ref = ["1", "2", "3", "4", "5"];
    expect(lcsLength(ref, ["2", "5", "3", "4"])).toBe(3);
    expect(lcsLength(ref, ["8", "9"])).toBe(0);
  });

  it("testInvalidRougeTypes: rouge0", () => {
    expect(() => rougeN("testing", ["testing one two"], 0)).toThrow(/positive integer/);
  });
});

describe("ROUGE, hand-worked", () => {
  it("tokenizes as rouge-score: lower-cased [a-z0-9] runs, all else a separator", () => {
    expect(rougeTokens("The cat's 2nd-best toy, naïve!")).toEqual([
      "the",
      "cat",
      "s",
      "2nd",
      "best",
      "toy",
      "na",
      "ve",
    ]);
  });

  it("clips repeated n-grams to the reference's count", () => {
    // Prediction unigrams: the x3, cat x1 (4); reference: the x2, cat, sat, on, mat (6 with "the" twice).
    // Shared: the 2 + cat 1 = 3. P = 3/4, R = 3/6, F = 2 * 0.75 * 0.5 / 1.25 = 0.6.
    expectScore(rougeN("the the the cat", ["the cat sat on the mat"], 1), {
      precision: 3 / 4,
      recall: 1 / 2,
      fmeasure: 0.6,
    });
  });

  it("ROUGE-L follows word order where ROUGE-1 does not", () => {
    // "mat the on sat cat the" has all six words of the reference, reversed. The longest
    // subsequence the two share is "the on the" (3 words): P = R = F = 3/6.
    const reversed = "mat the on sat cat the";
    expect(rougeN(reversed, ["the cat sat on the mat"], 1).fmeasure).toBe(1);
    expectScore(rougeL(reversed, ["the cat sat on the mat"]), {
      precision: 1 / 2,
      recall: 1 / 2,
      fmeasure: 1 / 2,
    });
  });

  it("takes the reference with the best F-measure, as score_multi", () => {
    // Against "police killed the gunman": 3 shared of 4 and 4 -> F 0.75. Against "the gunman was
    // shot dead by police": 3 shared of 4 and 7 -> P 0.75, R 3/7, F 6/11. The first wins.
    const prediction = "police kill the gunman";
    const references = ["the gunman was shot dead by police", "police killed the gunman"];
    expectScore(rougeN(prediction, references, 1), {
      precision: 0.75,
      recall: 0.75,
      fmeasure: 0.75,
    });
    expectScore(rougeN(prediction, [references[0] as string], 1), {
      precision: 0.75,
      recall: 3 / 7,
      fmeasure: 6 / 11,
    });
  });

  it("needs a reference", () => {
    expect(() => rougeL("a", [])).toThrow(/no reference/);
  });
});
