import { describe, expect, it } from "vitest";
import {
  type ClassificationExample,
  ClassificationSampler,
  classificationEvaluationBatches,
  encodeClassificationExamples,
  encodeSamples,
  evaluationBatches,
  splitForLanguageModelling,
  splitSamples,
  splitTokenStream,
  type TokenBatch,
  WindowSampler,
} from "../../src/data/batches.ts";
import { createTokenizer } from "../../src/data/tokenizers.ts";

/** Tokens 0, 1, ..., n - 1: a window's values then show where it was cut. */
const range = (n: number) => Int32Array.from({ length: n }, (_, i) => i);

const rows = (values: Int32Array | Float32Array, width: number) =>
  Array.from({ length: values.length / width }, (_, r) =>
    Array.from(values.subarray(r * width, (r + 1) * width)),
  );

describe("train/validation split", () => {
  it("takes the last fraction of a token stream as validation", () => {
    const { train, validation } = splitTokenStream(range(10), 0.2);
    expect(Array.from(train)).toEqual([0, 1, 2, 3, 4, 5, 6, 7]);
    expect(Array.from(validation)).toEqual([8, 9]);
    expect(() => splitTokenStream(range(10), 0)).toThrow(/between 0 and 1/);
    expect(() => splitTokenStream(range(3), 0.1)).toThrow(/leaves one side empty/);
  });

  it("splits samples the same way for the same seed, keeping their order", () => {
    const samples = Array.from({ length: 100 }, (_, i) => i);
    const first = splitSamples(samples, 0.1, 7);
    expect(splitSamples(samples, 0.1, 7)).toEqual(first);
    expect(splitSamples(samples, 0.1, 8).validation).not.toEqual(first.validation);
    expect(first.validation).toHaveLength(10);
    expect([...first.train, ...first.validation].sort((a, b) => a - b)).toEqual(samples);
    expect(first.train).toEqual([...first.train].sort((a, b) => a - b));
    // Not simply the tail, which would be all one class in a corpus sorted by label.
    expect(first.validation).not.toEqual(samples.slice(90));
  });

  it("puts end-of-text between samples, and splits one text at its tail", () => {
    const tokenizer = createTokenizer("char", "abcd");
    const separator = tokenizer.endOfText;
    expect(Array.from(encodeSamples([{ text: "ab" }, { text: "c" }], tokenizer))).toEqual([
      0,
      1,
      separator,
      2,
    ]);
    const single = splitForLanguageModelling(
      { format: "text", samples: [{ text: "abcdabcdab" }] },
      tokenizer,
      { validationFraction: 0.2, seed: 1 },
    );
    expect(tokenizer.decode(Array.from(single.validation))).toBe("ab");
    const several = splitForLanguageModelling(
      { format: "jsonl", samples: ["a", "b", "c", "d"].map((text) => ({ text })) },
      tokenizer,
      { validationFraction: 0.5, seed: 1 },
    );
    expect(several.train).toHaveLength(3);
    expect(several.validation).toHaveLength(3);
    expect([several.train[1], several.validation[1]]).toEqual([separator, separator]);
  });
});

describe("WindowSampler", () => {
  const options = { seqLen: 8, batchSize: 4, seed: 42 };
  const draw = (sampler: WindowSampler, count: number): TokenBatch[] =>
    Array.from({ length: count }, () => sampler.next());

  it("draws windows whose targets are the inputs shifted by one token", () => {
    const batch = new WindowSampler(range(1000), options).next();
    expect(batch.batchSize).toBe(4);
    expect(batch.inputs).toHaveLength(32);
    rows(batch.inputs, 8).forEach((inputs, r) => {
      const start = inputs[0] ?? 0;
      expect(inputs).toEqual(Array.from({ length: 8 }, (_, t) => start + t));
      expect(rows(batch.targets, 8)[r]).toEqual(inputs.map((token) => token + 1));
    });
  });

  it("repeats its batches for the same seed and differs for another", () => {
    const batches = draw(new WindowSampler(range(1000), options), 5);
    expect(draw(new WindowSampler(range(1000), options), 5)).toEqual(batches);
    expect(draw(new WindowSampler(range(1000), { ...options, seed: 43 }), 5)).not.toEqual(batches);
  });

  it("resumes from a saved state with exactly the batches it would have drawn", () => {
    const original = new WindowSampler(range(1000), options);
    draw(original, 3);
    const saved = JSON.parse(JSON.stringify(original.getState()));
    const expected = draw(original, 5);
    const resumed = new WindowSampler(range(1000), { ...options, seed: 999 });
    resumed.setState(saved);
    expect(draw(resumed, 5)).toEqual(expected);
  });

  it("reaches both ends of the text", () => {
    const starts = new Set(
      draw(new WindowSampler(range(10), { seqLen: 8, batchSize: 8, seed: 1 }), 4).flatMap((batch) =>
        rows(batch.inputs, 8).map((inputs) => inputs[0]),
      ),
    );
    expect([...starts].sort()).toEqual([0, 1]);
  });

  it("says when the text is too short for one window", () => {
    expect(() => new WindowSampler(range(8), options)).toThrow(
      "the training text has 8 tokens, fewer than the 9 (seqLen + 1) one window needs",
    );
    expect(() => new WindowSampler(range(9), options)).not.toThrow();
    expect(() => new WindowSampler(range(100), { ...options, seqLen: 0 })).toThrow(
      "seqLen must be a positive integer, got 0",
    );
  });
});

describe("evaluationBatches", () => {
  it("cuts the validation text into fixed non-overlapping windows, in order", () => {
    const batches = [...evaluationBatches(range(21), { seqLen: 4, batchSize: 2 })];
    expect(batches.map((batch) => batch.batchSize)).toEqual([2, 2, 1]);
    expect(batches.flatMap((batch) => rows(batch.inputs, 4).map((inputs) => inputs[0]))).toEqual([
      0, 4, 8, 12, 16,
    ]);
    expect(rows(batches[2]?.targets ?? new Int32Array(), 4)).toEqual([[17, 18, 19, 20]]);
    expect([...evaluationBatches(range(21), { seqLen: 4, batchSize: 2 })]).toEqual(batches);
  });

  it("keeps evenly spaced windows when capped", () => {
    const batches = [...evaluationBatches(range(21), { seqLen: 4, batchSize: 8, maxWindows: 2 })];
    // Window indices floor(i * 5 / 2) for i = 0, 1: windows 0 and 2.
    expect(rows(batches[0]?.inputs ?? new Int32Array(), 4).map((inputs) => inputs[0])).toEqual([
      0, 8,
    ]);
  });

  it("says when the validation text is too short", () => {
    expect(() => [...evaluationBatches(range(4), { seqLen: 4, batchSize: 2 })]).toThrow(
      "the validation text has 4 tokens, fewer than the 5",
    );
  });
});

describe("classification batches", () => {
  const examples: ClassificationExample[] = [
    { tokens: [5, 6], label: 0 },
    { tokens: [7, 8, 9, 10, 11, 12], label: 1 },
    { tokens: [13], label: 1 },
    { tokens: [14, 15, 16], label: 0 },
  ];
  const options = { seqLen: 4, batchSize: 2, padToken: 99, seed: 3 };

  it("pads, truncates and masks, in order for evaluation", () => {
    const [first, second] = [...classificationEvaluationBatches(examples, options)];
    expect(rows(first?.inputs ?? new Int32Array(), 4)).toEqual([
      [5, 6, 99, 99],
      [7, 8, 9, 10],
    ]);
    expect(rows(first?.mask ?? new Float32Array(), 4)).toEqual([
      [1, 1, 0, 0],
      [1, 1, 1, 1],
    ]);
    expect(Array.from(first?.lengths ?? [])).toEqual([2, 4]);
    expect(Array.from(first?.labels ?? [])).toEqual([0, 1]);
    expect(Array.from(second?.lengths ?? [])).toEqual([1, 3]);
  });

  it("sees every example once per epoch, in a seeded order", () => {
    const sampler = new ClassificationSampler(examples, options);
    const epoch = [sampler.next(), sampler.next()].flatMap((batch) =>
      rows(batch.inputs, 4).map((inputs) => inputs[0]),
    );
    expect([...epoch].sort((a, b) => (a ?? 0) - (b ?? 0))).toEqual([5, 7, 13, 14]);
    const again = new ClassificationSampler(examples, options);
    expect(
      [again.next(), again.next()].flatMap((batch) => rows(batch.inputs, 4).map((i) => i[0])),
    ).toEqual(epoch);
  });

  it("resumes from a saved state, across epoch boundaries", () => {
    const original = new ClassificationSampler(examples, { ...options, batchSize: 3 });
    original.next();
    original.next(); // mid-way through the second epoch
    const saved = JSON.parse(JSON.stringify(original.getState()));
    const expected = Array.from({ length: 4 }, () => original.next());
    const resumed = new ClassificationSampler(examples, { ...options, batchSize: 3, seed: 77 });
    resumed.setState(saved);
    expect(Array.from({ length: 4 }, () => resumed.next())).toEqual(expected);
    expect(() => resumed.setState({ ...saved, position: 9 })).toThrow(/position 9 does not fit/);
  });

  it("maps labels to their index in the dataset's labels", () => {
    const tokenizer = createTokenizer("byte");
    const encoded = encodeClassificationExamples(
      {
        format: "jsonl",
        samples: [
          { text: "hi", label: "spam" },
          { text: "yo", label: "ham" },
        ],
        labels: ["ham", "spam"],
      },
      tokenizer,
    );
    expect(encoded).toEqual([
      { tokens: [0x68, 0x69], label: 1 },
      { tokens: [0x79, 0x6f], label: 0 },
    ]);
    expect(() =>
      encodeClassificationExamples({ format: "jsonl", samples: [{ text: "a" }] }, tokenizer),
    ).toThrow(/needs labelled samples/);
  });
});
