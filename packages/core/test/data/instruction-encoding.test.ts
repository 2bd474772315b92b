import { describe, expect, it } from "vitest";
import { PLAIN_CHAT_TEMPLATE, renderExamples } from "../../src/data/chat-template.ts";
import type { InstructionExample } from "../../src/data/instruction-dataset.ts";
import {
  type EncodingOptions,
  encodeInstructionExamples,
  renderedCorpus,
} from "../../src/data/instruction-encoding.ts";
import { createTokenizer, END_OF_TEXT, type Tokenizer } from "../../src/data/tokenizers.ts";

const conversation: InstructionExample = {
  line: 1,
  messages: [
    { role: "user", content: "2+2?" },
    { role: "assistant", content: "4" },
    { role: "user", content: "3+3?" },
    { role: "assistant", content: "6" },
  ],
};

function encode(example: InstructionExample, tokenizer: Tokenizer, options?: EncodingOptions) {
  const rendered = renderExamples([example], PLAIN_CHAT_TEMPLATE);
  const [encoded] = encodeInstructionExamples(rendered, tokenizer, PLAIN_CHAT_TEMPLATE, options);
  if (encoded === undefined) throw new Error("nothing encoded");
  return encoded;
}

/** The trained-on tokens, decoded run by run. */
function trainedRuns(tokens: number[], mask: number[], tokenizer: Tokenizer): string[] {
  const runs: number[][] = [];
  mask.forEach((trained, i) => {
    if (trained === 0) return;
    if (i === 0 || mask[i - 1] === 0) runs.push([]);
    runs.at(-1)?.push(tokens[i] as number);
  });
  return runs.map((run) => tokenizer.decode(run));
}

describe("encoding with a loss mask", () => {
  const byte = createTokenizer("byte");

  it("marks every assistant turn with its end-of-text, and nothing else", () => {
    const { tokens, mask } = encode(conversation, byte);
    expect(mask).toHaveLength(tokens.length);
    expect(trainedRuns(tokens, mask, byte)).toEqual([`4${END_OF_TEXT}`, `6${END_OF_TEXT}`]);
    // The prompt is everything else: the whole text minus the trained runs.
    expect(byte.decode(tokens)).toBe(
      `<|user|>\n2+2?${END_OF_TEXT}\n<|assistant|>\n4${END_OF_TEXT}\n<|user|>\n3+3?${END_OF_TEXT}\n<|assistant|>\n6${END_OF_TEXT}`,
    );
  });

  it("marks only the last assistant turn when asked", () => {
    const { tokens, mask } = encode(conversation, byte, { assistantTurns: "last" });
    expect(trainedRuns(tokens, mask, byte)).toEqual([`6${END_OF_TEXT}`]);
  });

  it("encodes the template's eos_token as the tokenizer's end-of-text token, never as text", () => {
    for (const kind of ["byte", "gpt2"] as const) {
      const tokenizer = createTokenizer(kind);
      const { tokens } = encode({ line: 1, prompt: "hi", completion: "yo" }, tokenizer);
      expect(tokens.filter((token) => token === tokenizer.endOfText)).toHaveLength(2);
      expect(tokens.at(-1)).toBe(tokenizer.endOfText);
    }
  });

  it("keeps GPT-2 BPE tokens from straddling prompt and completion", () => {
    const gpt2 = createTokenizer("gpt2");
    const { tokens, mask } = encode({ line: 1, prompt: "Say", completion: "hello there" }, gpt2);
    expect(trainedRuns(tokens, mask, gpt2)).toEqual([`hello there${END_OF_TEXT}`]);
    const trained = tokens.filter((_, i) => mask[i] === 1);
    expect(trained).toEqual([...gpt2.encode("hello there"), gpt2.endOfText]);
  });

  it("builds a char vocabulary from the rendered text, with end-of-text as its own token", () => {
    const examples = [conversation, { line: 2, prompt: "ab", completion: "ba" }];
    const rendered = renderExamples(examples, PLAIN_CHAT_TEMPLATE);
    const corpus = renderedCorpus(rendered, PLAIN_CHAT_TEMPLATE);
    expect(corpus).not.toContain(END_OF_TEXT);
    const char = createTokenizer("char", corpus);
    const encoded = encodeInstructionExamples(rendered, char, PLAIN_CHAT_TEMPLATE);
    expect(char.decode(encoded[1]?.tokens ?? [])).toBe(
      `<|user|>\nab${END_OF_TEXT}\n<|assistant|>\nba${END_OF_TEXT}`,
    );
  });
});
