/**
 * A model's own tokenizer: Hugging Face's tokenizer.json (BPE, WordPiece or Unigram, with its
 * normalizer, pre-tokenizer and decoder) run by @huggingface/tokenizers, with the special tokens of
 * tokenizer_config.json. Its JSON carries both files' content, so a checkpoint is self-contained.
 *
 * As in Hugging Face's tokenizers, the added tokens (e.g. "<|im_start|>", "</s>") are matched in
 * the text: a chat template's rendered markers become their special tokens. No BOS or EOS is added
 * around the text (add_special_tokens: false): templates and datasets write them where they belong.
 */
import { Tokenizer as Library } from "@huggingface/tokenizers";
import { assertWellFormed, END_OF_TEXT, tokenOutOfRange } from "./tokenizer-text.ts";
import type { Tokenizer, TokenizerJson } from "./tokenizers.ts";

/** tokenizer.json and tokenizer_config.json as parsed JSON objects. */
export type HfTokenizerJson = Record<string, unknown>;

export class HfTokenizer implements Tokenizer {
  readonly kind = "hf";
  /** The largest id of the model's vocabulary and its added tokens, plus one. */
  readonly vocabSize: number;
  /** eos_token's id. */
  readonly endOfText: number | undefined;
  readonly tokenizerJson: HfTokenizerJson;
  readonly config: HfTokenizerJson;
  private readonly library: Library;

  /** `config` is tokenizer_config.json's content ({} without one). */
  constructor(tokenizerJson: HfTokenizerJson, config: HfTokenizerJson) {
    this.tokenizerJson = tokenizerJson;
    this.config = config;
    try {
      this.library = new Library(tokenizerJson, config);
    } catch (error) {
      throw new Error(
        `tokenizer.json cannot be read as a Hugging Face tokenizer: ${(error as Error).message}`,
      );
    }
    // The library's id -> token table, after the added tokens were written into it.
    this.vocabSize = this.library.model?.vocab.length ?? 0;
    if (this.vocabSize === 0) throw new Error("tokenizer.json's vocabulary is empty");
    this.endOfText = this.eosTokenId();
  }

  encode(text: string): number[] {
    assertWellFormed(text);
    return this.library.encode(text, { add_special_tokens: false }).ids;
  }

  decode(tokens: readonly number[]): string {
    tokens.forEach((id, index) => {
      if (!Number.isInteger(id) || this.library.id_to_token(id) === undefined) {
        const hole = Number.isInteger(id) && id >= 0 && id < this.vocabSize;
        throw new Error(
          hole
            ? `token ${id} at index ${index} has no entry in the tokenizer's vocabulary`
            : tokenOutOfRange(id, index, this.vocabSize),
        );
      }
    });
    // The library refuses an empty list. Special tokens are kept, and spaces before punctuation
    // are not "cleaned up" (the library's default), so that decoding gives back the encoded text.
    if (tokens.length === 0) return "";
    return this.library.decode([...tokens], {
      skip_special_tokens: false,
      clean_up_tokenization_spaces: false,
    });
  }

  /** The token's id, or undefined when it is not in the vocabulary. */
  tokenId(token: string): number | undefined {
    return this.library.token_to_id(token);
  }

  toJSON(): TokenizerJson {
    return { kind: "hf", tokenizer: this.tokenizerJson, config: this.config };
  }

  /**
   * The config's eos_token; without one, "<|endoftext|>" where the vocabulary has it (transformers'
   * GPT-2 tokenizers default their eos_token to it, and GPT-2's folder names none).
   */
  private eosTokenId(): number | undefined {
    const named = specialTokenContent(this.config.eos_token);
    if (named === undefined) return this.tokenId(END_OF_TEXT);
    const id = this.tokenId(named);
    if (id === undefined) {
      throw new Error(
        `tokenizer_config.json's eos_token ${JSON.stringify(named)} is not in tokenizer.json's vocabulary`,
      );
    }
    return id;
  }
}

/** A special token in tokenizer_config.json is a string or an AddedToken object with content. */
export function specialTokenContent(value: unknown): string | undefined {
  if (typeof value === "string") return value;
  if (typeof value === "object" && value !== null && "content" in value) {
    const { content } = value as { content: unknown };
    if (typeof content === "string") return content;
  }
  return undefined;
}
