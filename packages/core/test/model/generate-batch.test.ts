import { describe, expect, it } from "vitest";
import { createTokenizer } from "../../src/data/tokenizers.ts";
import { generate } from "../../src/generate.ts";
import { generateCompletions } from "../../src/generate-batch.ts";
import { Random } from "../../src/random.ts";
import { useWasmBackend } from "../tf-backend.ts";
import { randomizeWeights, smallModels } from "./small-models.ts";

useWasmBackend();

const tokenizer = createTokenizer("char", "the quick brown fox jumps over the lazy dog.");
const model = smallModels({
  vocabSize: tokenizer.vocabSize,
  seqLen: 12,
  layers: 2,
  dModel: 16,
  heads: 2,
});

const prompts = ["the", "quick brown", "a", "lazy dog", "over the lazy"];

/** One prompt's greedy completion, one token at a time. */
async function alone(gpt: ReturnType<typeof model>, prompt: string, maxLength: number) {
  const tokens: number[] = [];
  for await (const { token } of generate(gpt, tokenizer, { prompt, maxLength, temperature: 0 })) {
    if (token === tokenizer.endOfText) break;
    tokens.push(token);
  }
  return tokens;
}

describe("generateCompletions", () => {
  it.each([
    ["learned", {}],
    ["rotary", { positions: "rotary" as const }],
  ])(
    "writes, greedily, what each prompt gets alone, though the prompts differ in length (%s positions)",
    async (_, config) => {
      const gpt = model(config);
      // Larger weights than the initialisation's, so that the greedy choices differ by prompt.
      randomizeWeights(gpt, new Random(3), 0.5);
      const batched = generateCompletions(
        gpt,
        prompts.map((prompt) => tokenizer.encode(prompt)),
        {
          maxNewTokens: 6,
          stopToken: tokenizer.endOfText as number,
          temperature: 0,
          seed: 0,
          batchSize: 3,
        },
      );
      for (const [i, prompt] of prompts.entries()) {
        expect(batched[i], prompt).toEqual(await alone(gpt, prompt, 6));
      }
      expect(new Set(batched.map((tokens) => tokens.join(","))).size).toBeGreaterThan(1);
    },
  );

  it("samples the same completions from the same seed", () => {
    const gpt = model({});
    randomizeWeights(gpt, new Random(5), 0.5);
    const sample = (seed: number) =>
      generateCompletions(
        gpt,
        prompts.map((prompt) => tokenizer.encode(prompt)),
        { maxNewTokens: 6, stopToken: -1, temperature: 1, seed },
      );
    expect(sample(1)).toEqual(sample(1));
    expect(sample(1)).not.toEqual(sample(2));
    expect(sample(1).every((tokens) => tokens.length === 6)).toBe(true);
  });
});
