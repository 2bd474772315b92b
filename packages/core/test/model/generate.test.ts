import * as tf from "@tensorflow/tfjs";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createTokenizer, type Tokenizer } from "../../src/data/tokenizers.ts";
import {
  type GeneratedToken,
  type GenerateOptions,
  generate,
  pickToken,
} from "../../src/generate.ts";
import { createGPT, disposeGPT, type GPT, languageModelLogits } from "../../src/model/gpt.ts";
import { Random } from "../../src/random.ts";
import { useWasmBackend } from "../tf-backend.ts";

useWasmBackend();

const tokenizer = createTokenizer("char", "the quick brown fox jumps over the lazy dog.");
let model: GPT;
beforeAll(() => {
  model = createGPT(
    { vocabSize: tokenizer.vocabSize, seqLen: 8, layers: 1, dModel: 16, heads: 2 },
    1,
  );
  // Larger weights than the default initialisation, so that the distributions are far from uniform.
  const random = new Random(2);
  tf.tidy(() => {
    for (const variable of model.parameters.values()) {
      const values = Float32Array.from({ length: variable.size }, () => random.normal(0, 0.5));
      variable.assign(tf.tensor(values, variable.shape));
    }
  });
});
afterAll(() => disposeGPT(model));

async function collect(options: GenerateOptions, using: Tokenizer = tokenizer) {
  const tokens: GeneratedToken[] = [];
  for await (const token of generate(model, using, options)) tokens.push(token);
  return tokens;
}

describe("generate", () => {
  it("streams exactly maxLength tokens, past the context length, with their text", async () => {
    const tokens = await collect({
      prompt: "the ",
      maxLength: 20,
      seed: 1,
      stopAtEndOfText: false,
    });
    expect(tokens).toHaveLength(20);
    expect(tokens.map((t) => t.text).join("")).toBe(tokenizer.decode(tokens.map((t) => t.token)));
  });

  it("is deterministic for a seed and varies with it", async () => {
    const options = { prompt: "fox", maxLength: 30, temperature: 1.5, stopAtEndOfText: false };
    const a = await collect({ ...options, seed: 5 });
    expect(await collect({ ...options, seed: 5 })).toEqual(a);
    expect(await collect({ ...options, seed: 6 })).not.toEqual(a);
  });

  it("greedy decoding takes the most likely token each time", async () => {
    const tokens = await collect({
      prompt: "dog",
      maxLength: 5,
      temperature: 0,
      stopAtEndOfText: false,
    });
    const context = tokenizer.encode("dog");
    for (const { token } of tokens) {
      const window = context.slice(-8);
      const logits = tf.tidy(() =>
        languageModelLogits(model, Int32Array.from(window), 1).arraySync(),
      ) as number[][];
      const last = logits[window.length - 1] as number[];
      expect(token).toBe(last.indexOf(Math.max(...last)));
      context.push(token);
    }
    // Greedy ignores the seed.
    expect(
      await collect({
        prompt: "dog",
        maxLength: 5,
        temperature: 0,
        seed: 9,
        stopAtEndOfText: false,
      }),
    ).toEqual(tokens);
  });

  it("stops after the end-of-text token", async () => {
    const [first] = await collect({ prompt: "the", maxLength: 1, temperature: 0 });
    // A tokenizer whose end-of-text is exactly the token greedy decoding emits first.
    const stopping: Tokenizer = {
      kind: tokenizer.kind,
      vocabSize: tokenizer.vocabSize,
      endOfText: first?.token,
      encode: (text) => tokenizer.encode(text),
      decode: (tokens) => tokenizer.decode(tokens),
      toJSON: () => tokenizer.toJSON(),
    };
    const tokens = await collect({ prompt: "the", maxLength: 10, temperature: 0 }, stopping);
    expect(tokens.map((t) => t.token)).toEqual([first?.token]);
    const all = await collect(
      { prompt: "the", maxLength: 10, temperature: 0, stopAtEndOfText: false },
      stopping,
    );
    expect(all).toHaveLength(10);
  });

  it("rejects invalid options", async () => {
    await expect(collect({ prompt: "a", maxLength: 3, topP: 0 })).rejects.toThrow(
      "topP must be in (0, 1], got 0",
    );
    await expect(collect({ prompt: "a", maxLength: 3, topK: 0 })).rejects.toThrow(
      "topK must be a positive whole number",
    );
    await expect(collect({ prompt: "a", maxLength: -1 })).rejects.toThrow(
      "maxLength must be a whole number",
    );
  });
});

describe("pickToken", () => {
  const logits = Float32Array.from([1, 3, 2, 0]);
  const draw = (options: Parameters<typeof pickToken>[1], count = 4000) => {
    const random = new Random(3);
    const counts = [0, 0, 0, 0];
    for (let i = 0; i < count; i++) {
      const token = pickToken(logits, options, random);
      counts[token] = (counts[token] ?? 0) + 1;
    }
    return counts.map((c) => c / count);
  };

  it("samples in proportion to softmax(logits / temperature)", () => {
    const expected = (temperature: number) => {
      const weights = Array.from(logits, (l) => Math.exp(l / temperature));
      const total = weights.reduce((a, b) => a + b, 0);
      return weights.map((w) => w / total);
    };
    for (const temperature of [1, 0.5, 2]) {
      const frequencies = draw({ temperature });
      const probabilities = expected(temperature);
      for (let i = 0; i < 4; i++) expect(frequencies[i]).toBeCloseTo(probabilities[i] as number, 1);
    }
  });

  it("keeps only the top k tokens, or the smallest set with probability mass p", () => {
    expect(draw({ topK: 2 })[0]).toBe(0);
    expect(draw({ topK: 2 })[3]).toBe(0);
    expect(draw({ topK: 1 })).toEqual([0, 1, 0, 0]);
    // Probabilities are about [0.09, 0.64, 0.24, 0.03]: p = 0.5 keeps one token, p = 0.8 two.
    expect(draw({ topP: 0.5 })).toEqual([0, 1, 0, 0]);
    const twoKept = draw({ topP: 0.8 });
    expect(twoKept[0]).toBe(0);
    expect(twoKept[3]).toBe(0);
    expect(twoKept[1]).toBeCloseTo(0.64 / 0.88, 1);
  });

  it("greedy at temperature 0", () => {
    expect(draw({ temperature: 0 }, 10)).toEqual([0, 1, 0, 0]);
  });
});
