import { describe, expect, it } from "vitest";
import { PLAIN_CHAT_TEMPLATE } from "../../src/data/chat-template.ts";
import {
  datasetStatistics,
  instructionStatistics,
  majorityShare,
  unigramEntropy,
} from "../../src/data/statistics.ts";
import type { TextDataset } from "../../src/data/text-dataset.ts";
import { createTokenizer } from "../../src/data/tokenizers.ts";

const dataset: TextDataset = {
  format: "jsonl",
  samples: [
    { text: "hi", label: "x" },
    { text: "héllo wörld", label: "y" },
    { text: "a".repeat(20), label: "x" },
    { text: "😀😀", label: "y" },
  ],
  labels: ["x", "y"],
};

describe("datasetStatistics", () => {
  it("counts a hand-made dataset with a char tokenizer", () => {
    const tokenizer = createTokenizer("char", dataset.samples.map((s) => s.text).join(""));
    expect(datasetStatistics(dataset, tokenizer)).toEqual({
      characters: 2 + 11 + 20 + 2, // code points: each emoji is one
      tokens: 35,
      // h i é l o space w ö r d a 😀, and end-of-text
      vocabularySize: 13,
      distinctTokens: 12,
      samples: 4,
      // lengths 2, 11, 20, 2
      sampleTokenLengths: { upperBounds: [8, 16, 32], counts: [2, 1, 1] },
      // sorted 2, 2, 11, 20: nearest rank ceil(p/100 * 4)
      sampleTokenLengthPercentiles: { p50: 2, p90: 20, p95: 20, p99: 20, max: 20 },
      labelCounts: { x: 2, y: 2 },
    });
  });

  it("counts tokens with the tokenizer given", () => {
    const statistics = datasetStatistics(dataset, createTokenizer("byte"));
    // UTF-8 bytes: é and ö take 2, each emoji 4: 2 + 13 + 20 + 8
    expect(statistics.tokens).toBe(43);
    expect(statistics.characters).toBe(35);
    expect(statistics.vocabularySize).toBe(257);
    expect(statistics.sampleTokenLengths).toEqual({ upperBounds: [8, 16, 32], counts: [2, 1, 1] });
  });

  it("has one bucket per power of two up to the longest sample, and no labels for plain text", () => {
    const text = "x".repeat(100);
    const statistics = datasetStatistics(
      { format: "text", samples: [{ text }] },
      createTokenizer("char", text),
    );
    expect(statistics.sampleTokenLengths).toEqual({
      upperBounds: [8, 16, 32, 64, 128],
      counts: [0, 0, 0, 0, 1],
    });
    expect(statistics.labelCounts).toBeUndefined();
  });
});

describe("unigramEntropy", () => {
  it("matches hand-computed entropies in nats", () => {
    expect(unigramEntropy([7, 7, 7])).toBe(0);
    // uniform over 4 tokens: ln 4
    expect(unigramEntropy(Int32Array.from([0, 1, 2, 3]))).toBeCloseTo(1.3862943611198906, 12);
    // p = 1/2, 1/4, 1/4: 1/2 ln 2 + 2 * 1/4 ln 4 = 1.5 ln 2
    expect(unigramEntropy([5, 5, 1, 2])).toBeCloseTo(1.0397207708399179, 12);
    expect(() => unigramEntropy([])).toThrow(/no tokens/);
  });
});

describe("majorityShare", () => {
  it("is the commonest value's share", () => {
    expect(majorityShare([4, 4, 9, 4, 1])).toBe(0.6);
    expect(majorityShare(Int32Array.from([2, 3]))).toBe(0.5);
    expect(() => majorityShare([])).toThrow(/majority share of no tokens/);
  });
});

describe("instructionStatistics", () => {
  it("measures the rendered examples, and their prompts and completions apart", () => {
    const examples = [
      { line: 1, prompt: "", completion: "a" },
      { line: 2, prompt: "x".repeat(30), completion: "b".repeat(10) },
    ];
    const statistics = instructionStatistics(
      { format: "prompt-completion", examples },
      createTokenizer("byte"),
      PLAIN_CHAT_TEMPLATE,
    );
    // Bytes of "<|user|>\n" + prompt + end-of-text + "\n<|assistant|>\n": 9 + prompt + 1 + 15, so
    // prompts of 25 and 55 tokens; completions are their text and end-of-text: 2 and 11.
    expect(statistics).toMatchObject({
      samples: 2,
      tokens: 25 + 2 + 55 + 11,
      sampleTokenLengths: { upperBounds: [8, 16, 32, 64, 128], counts: [0, 0, 1, 0, 1] },
      sampleTokenLengthPercentiles: { max: 66 },
      promptTokenLengths: { upperBounds: [8, 16, 32, 64], counts: [0, 0, 1, 1] },
      completionTokenLengths: { upperBounds: [8, 16], counts: [1, 1] },
    });
  });

  it("leaves text datasets' statistics as they were", () => {
    const statistics = datasetStatistics(dataset, createTokenizer("byte"));
    expect(statistics.promptTokenLengths).toBeUndefined();
    expect(statistics.completionTokenLengths).toBeUndefined();
  });
});
