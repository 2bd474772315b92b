import { describe, expect, it } from "vitest";
import { byteLevelBpeTokenizerJson, bytesToUnicode } from "../../src/data/byte-level-bpe.ts";
import { PLAIN_CHAT_TEMPLATE, renderExamples } from "../../src/data/chat-template.ts";
import { HfTokenizer } from "../../src/data/hf-tokenizer.ts";
import { encodeInstructionExamples } from "../../src/data/instruction-encoding.ts";
import { modelChatTemplate } from "../../src/data/model-tokenizer.ts";
import { createTokenizer, datasetTokenizer, tokenizerFromJSON } from "../../src/data/tokenizers.ts";

// What @huggingface/tokenizers 0.2.0 documents (its README and types/core/Tokenizer.d.ts): a
// Tokenizer built from tokenizer.json and tokenizer_config.json; encode(text, { add_special_tokens })
// gives ids; decode(ids, { skip_special_tokens, clean_up_tokenization_spaces }) gives text back.

/**
 * A tiny byte-level BPE: the 256 byte symbols (id = byte value), four merges, and ChatML's markers as
 * special added tokens (ids 260, 261).
 */
function tinyByteLevelBpe(): Record<string, unknown> {
  const vocab: Record<string, number> = Object.fromEntries(bytesToUnicode().map((s, b) => [s, b]));
  Object.assign(vocab, { he: 256, ll: 257, hell: 258, Ġw: 259 });
  Object.assign(vocab, { "<|im_start|>": 260, "<|im_end|>": 261 });
  const merges = [
    ["h", "e"],
    ["l", "l"],
    ["he", "ll"],
    ["Ġ", "w"],
  ] as const;
  return byteLevelBpeTokenizerJson(vocab, merges, ["<|im_start|>", "<|im_end|>"]);
}

const CHATML_CONFIG = {
  eos_token: "<|im_end|>",
  // ChatML, as HuggingFaceTB/SmolLM2-135M-Instruct's tokenizer_config.json has it (without its
  // default system message).
  chat_template:
    "{% for message in messages %}{{'<|im_start|>' + message['role'] + '\n' + message['content'] + '<|im_end|>' + '\n'}}{% endfor %}{% if add_generation_prompt %}{{ '<|im_start|>assistant\n' }}{% endif %}",
};

describe("bytesToUnicode", () => {
  it("is GPT-2's byte-to-symbol table (openai/gpt-2 src/encoder.py)", () => {
    const table = bytesToUnicode();
    // Printable bytes stand for themselves; space is "Ġ" (U+0120) and newline "Ċ" (U+010A), as in
    // GPT-2's vocab.json; the 68 non-printable bytes take U+0100 to U+0143 in byte order.
    expect([table[65], table[32], table[10], table[0], table[173], table[255]]).toEqual([
      "A",
      "Ġ",
      "Ċ",
      "Ā",
      "Ń",
      "ÿ",
    ]);
    expect(new Set(table).size).toBe(256);
  });
});

describe("hf tokenizer: byte-level BPE", () => {
  const tokenizer = new HfTokenizer(tinyByteLevelBpe(), CHATML_CONFIG);

  it("applies the merges by rank within GPT-2's pre-tokenized words", () => {
    // "hello" -> h e l l o -> he l l o -> he ll o -> hell o; " world" -> Ġw o r l d.
    expect(tokenizer.encode("hello world")).toEqual([258, 111, 259, 111, 114, 108, 100]);
  });

  it("matches special added tokens in the text, and adds no BOS or EOS around it", () => {
    expect(tokenizer.encode("<|im_start|>user\nhi<|im_end|>")).toEqual([
      260, 117, 115, 101, 114, 10, 104, 105, 261,
    ]);
  });

  it("decodes what it encodes, special tokens and spaces before punctuation included", () => {
    const text = "<|im_start|>Héllo , wörld ! 👍🏽 日本語\r\n\tend<|im_end|>";
    expect(tokenizer.decode(tokenizer.encode(text))).toBe(text);
    expect(tokenizer.decode([])).toBe("");
  });

  it("takes its size from the largest id and its end-of-text from eos_token", () => {
    expect(tokenizer.vocabSize).toBe(262);
    expect(tokenizer.endOfText).toBe(261);
    expect(new HfTokenizer(tinyByteLevelBpe(), {}).endOfText).toBeUndefined();
  });

  it("refuses ids outside the vocabulary and lone surrogates", () => {
    expect(() => tokenizer.decode([1, 262])).toThrow(/token 262 at index 1 .*ids 0 to 261/);
    expect(() => tokenizer.decode([-1])).toThrow(/token -1 at index 0/);
    expect(() => tokenizer.encode("a\ud800b")).toThrow(/lone surrogate/);
  });

  it("refuses an eos_token that is not in the vocabulary, and a tokenizer.json it cannot read", () => {
    expect(() => new HfTokenizer(tinyByteLevelBpe(), { eos_token: "</s>" })).toThrow(
      /eos_token "<\/s>" is not in tokenizer.json's vocabulary/,
    );
    expect(() => new HfTokenizer({ model: {} }, {})).toThrow(
      /tokenizer.json cannot be read as a Hugging Face tokenizer: .*decoder/,
    );
  });

  it("survives its JSON (a checkpoint's copy) and encodes the same", () => {
    const restored = tokenizerFromJSON(JSON.parse(JSON.stringify(tokenizer.toJSON())));
    expect(restored.kind).toBe("hf");
    expect(restored.vocabSize).toBe(262);
    expect(restored.endOfText).toBe(261);
    expect(restored.encode("<|im_start|>hello")).toEqual(tokenizer.encode("<|im_start|>hello"));
    expect(() => tokenizerFromJSON({ kind: "hf", tokenizer: {} })).toThrow(/config/);
  });
});

describe("hf tokenizer: WordPiece", () => {
  // BERT's layout as transformers' BertTokenizerFast writes tokenizer.json, with a tiny vocabulary.
  const wordPiece = new HfTokenizer(
    {
      version: "1.0",
      added_tokens: ["[PAD]", "[UNK]", "[CLS]", "[SEP]"].map((content, id) => ({
        id,
        content,
        single_word: false,
        lstrip: false,
        rstrip: false,
        normalized: false,
        special: true,
      })),
      normalizer: {
        type: "BertNormalizer",
        clean_text: true,
        handle_chinese_chars: true,
        strip_accents: null,
        lowercase: true,
      },
      pre_tokenizer: { type: "BertPreTokenizer" },
      post_processor: {
        type: "TemplateProcessing",
        single: [
          { SpecialToken: { id: "[CLS]", type_id: 0 } },
          { Sequence: { id: "A", type_id: 0 } },
          { SpecialToken: { id: "[SEP]", type_id: 0 } },
        ],
        pair: [],
        special_tokens: {
          "[CLS]": { id: "[CLS]", ids: [2], tokens: ["[CLS]"] },
          "[SEP]": { id: "[SEP]", ids: [3], tokens: ["[SEP]"] },
        },
      },
      decoder: { type: "WordPiece", prefix: "##", cleanup: true },
      model: {
        type: "WordPiece",
        unk_token: "[UNK]",
        continuing_subword_prefix: "##",
        max_input_chars_per_word: 100,
        vocab: {
          "[PAD]": 0,
          "[UNK]": 1,
          "[CLS]": 2,
          "[SEP]": 3,
          un: 4,
          "##aff": 5,
          "##able": 6,
          the: 7,
          ",": 8,
          "!": 9,
        },
      },
    },
    {},
  );

  it("splits words greedily into the longest pieces, lowercased", () => {
    // Google's BERT tokenization.py (WordpieceTokenizer.tokenize): "unaffable" -> un ##aff ##able.
    // No [CLS] or [SEP]: the post-processor's special tokens are not added.
    expect(wordPiece.encode("UNaffable, the xyz!")).toEqual([4, 5, 6, 8, 7, 1, 9]);
    expect(wordPiece.decode([4, 5, 6, 8, 7, 9])).toBe("unaffable, the!");
    expect(wordPiece.vocabSize).toBe(10);
    expect(wordPiece.endOfText).toBeUndefined();
  });
});

describe("hf tokenizer: Unigram", () => {
  const unigram = new HfTokenizer(
    {
      added_tokens: [
        { id: 0, content: "<unk>", special: true },
        { id: 1, content: "</s>", special: true },
      ],
      normalizer: null,
      pre_tokenizer: { type: "Metaspace", replacement: "▁", prepend_scheme: "always", split: true },
      post_processor: null,
      decoder: { type: "Metaspace", replacement: "▁", prepend_scheme: "always", split: true },
      model: {
        type: "Unigram",
        unk_id: 0,
        byte_fallback: false,
        vocab: [
          ["<unk>", 0],
          ["</s>", 0],
          ["▁", -2],
          ["▁hello", -1],
          ["▁world", -1],
          ["▁h", -3],
          ["o", -3],
          ["l", -3],
          ["d", -3],
        ],
      },
    },
    { eos_token: "</s>" },
  );

  it("picks the segmentation with the best total score", () => {
    // "▁hello▁world": two pieces at -1 each beat every split into shorter ones.
    expect(unigram.encode("hello world</s>")).toEqual([3, 4, 1]);
    // "▁hold" has no whole piece: ▁h o l d.
    expect(unigram.encode("hold")).toEqual([5, 6, 7, 8]);
    expect(unigram.decode(unigram.encode("hello world"))).toBe("hello world");
    expect(unigram.endOfText).toBe(1);
    expect(unigram.vocabSize).toBe(9);
  });
});

describe("a model's tokenizer in core's data pipeline", () => {
  const tokenizer = new HfTokenizer(tinyByteLevelBpe(), CHATML_CONFIG);
  const dataset = { samples: [{ text: "hello" }] };

  it("replaces the study's tokenizer kind only when datasetTokenizer is given it", () => {
    expect(datasetTokenizer("byte", dataset, { modelTokenizer: tokenizer })).toBe(tokenizer);
    expect(datasetTokenizer("byte", dataset).kind).toBe("byte");
    expect(datasetTokenizer("char", dataset).vocabSize).toBe(5);
  });

  it("renders instruction data with the model's chat template, its markers as special tokens", () => {
    const template = modelChatTemplate(tokenizer);
    expect(template.source).toBe(CHATML_CONFIG.chat_template);
    const example = {
      line: 1,
      messages: [
        { role: "user" as const, content: "hi" },
        { role: "assistant" as const, content: "hello" },
      ],
    };
    const rendered = renderExamples([example], template);
    const [encoded] = encodeInstructionExamples(rendered, tokenizer, template);
    // Trained on: the assistant turn through the template's end of turn, "hello<|im_end|>\n".
    const prompt = [
      260, 117, 115, 101, 114, 10, 104, 105, 261, 10, 260, 97, 115, 115, 105, 115, 116, 97, 110,
      116, 10,
    ];
    expect(encoded?.tokens).toEqual([...prompt, 258, 111, 261, 10]);
    expect(encoded?.mask).toEqual([...prompt.map(() => 0), 1, 1, 1, 1]);
  });

  it("falls back to the plain template without one of the model's own", () => {
    expect(modelChatTemplate(new HfTokenizer(tinyByteLevelBpe(), {}))).toBe(PLAIN_CHAT_TEMPLATE);
    expect(modelChatTemplate(createTokenizer("gpt2"))).toBe(PLAIN_CHAT_TEMPLATE);
  });
});
