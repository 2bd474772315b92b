/**
 * Tokenizers: character-level (vocabulary built from a corpus), byte-level (UTF-8 bytes), GPT-2
 * BPE, and a model's own Hugging Face tokenizer (hf-tokenizer.ts). Each encodes well-formed text so
 * that decode(encode(text)) === text (for "hf", where the model's normalizer keeps text as it is),
 * and serialises to JSON so that a checkpoint carries the exact vocabulary it was trained with.
 */
import * as gpt2 from "gpt-tokenizer/encoding/r50k_base";
import { z } from "zod";
import { HfTokenizer } from "./hf-tokenizer.ts";
import {
  assertWellFormed,
  describeCharacter,
  END_OF_TEXT,
  tokenOutOfRange,
} from "./tokenizer-text.ts";

export { END_OF_TEXT } from "./tokenizer-text.ts";

/** The tokenizers a study names by kind; "hf" comes with a model instead (hf-tokenizer.ts). */
export type TokenizerKind = "char" | "byte" | "gpt2";

export interface Tokenizer {
  kind: TokenizerKind | "hf";
  vocabSize: number;
  /** The token that separates documents, when the tokenizer has one. */
  endOfText: number | undefined;
  encode(text: string): number[];
  decode(tokens: readonly number[]): string;
  toJSON(): TokenizerJson;
}

const tokenizerJsonSchema = z.discriminatedUnion(
  "kind",
  [
    z.object({
      kind: z.literal("char"),
      /** One code point per entry; the entry's index is its token id. */
      vocabulary: z.array(z.string()),
    }),
    z.object({ kind: z.literal("byte") }),
    z.object({ kind: z.literal("gpt2") }),
    z.object({
      kind: z.literal("hf"),
      /** tokenizer.json's content, so that a checkpoint needs no other file. */
      tokenizer: z.record(z.string(), z.unknown()),
      /** tokenizer_config.json's content (special tokens, chat template); {} when there was none. */
      config: z.record(z.string(), z.unknown()),
    }),
  ],
  {
    error: (issue) =>
      issue.code === "invalid_union" ? 'kind must be "char", "byte", "gpt2" or "hf"' : undefined,
  },
);

export type TokenizerJson = z.infer<typeof tokenizerJsonSchema>;

export function createTokenizer(kind: TokenizerKind, corpus?: string): Tokenizer {
  switch (kind) {
    case "char": {
      if (!corpus) {
        throw new Error("a char tokenizer needs a non-empty corpus to build its vocabulary from");
      }
      const characters = [...new Set(corpus)].sort(
        (a, b) => (a.codePointAt(0) ?? 0) - (b.codePointAt(0) ?? 0),
      );
      return new CharTokenizer(characters);
    }
    case "byte":
      return new ByteTokenizer();
    case "gpt2":
      return new Gpt2Tokenizer();
  }
}

/**
 * The tokenizer of `kind` for a dataset: a char tokenizer's vocabulary is the dataset's own
 * characters (all of them, so validation text has no unknown ones and a resumed trial rebuilds the
 * same vocabulary); the others need no corpus, so none is built. A model's own tokenizer
 * (`options.modelTokenizer`, e.g. from readModelTokenizer) replaces `kind` when given: a model
 * fine-tuned on the dataset reads it with the tokenizer it was pretrained with.
 */
export function datasetTokenizer(
  kind: TokenizerKind,
  dataset: { samples: readonly { text: string }[] },
  options: { modelTokenizer?: Tokenizer } = {},
): Tokenizer {
  if (options.modelTokenizer !== undefined) return options.modelTokenizer;
  return createTokenizer(
    kind,
    kind === "char" ? dataset.samples.map((sample) => sample.text).join("") : undefined,
  );
}

export function tokenizerFromJSON(json: unknown): Tokenizer {
  const parsed = tokenizerJsonSchema.safeParse(json);
  if (!parsed.success) throw new Error(`invalid tokenizer JSON: ${z.prettifyError(parsed.error)}`);
  const spec = parsed.data;
  if (spec.kind === "hf") return new HfTokenizer(spec.tokenizer, spec.config);
  if (spec.kind !== "char") return createTokenizer(spec.kind);
  spec.vocabulary.forEach((character, index) => {
    if ([...character].length !== 1) {
      throw new Error(
        `invalid tokenizer JSON: vocabulary[${index}] is ${JSON.stringify(character)}, not one character`,
      );
    }
  });
  if (new Set(spec.vocabulary).size !== spec.vocabulary.length) {
    throw new Error("invalid tokenizer JSON: the char vocabulary has duplicate characters");
  }
  return new CharTokenizer(spec.vocabulary);
}

/** One token per Unicode code point (so an emoji is one token, not two UTF-16 halves). */
class CharTokenizer implements Tokenizer {
  readonly kind = "char";
  readonly vocabSize: number;
  readonly endOfText: number;
  private readonly characters: readonly string[];
  private readonly ids: Map<string, number>;

  constructor(characters: readonly string[]) {
    this.characters = characters;
    this.ids = new Map(characters.map((character, id) => [character, id]));
    this.endOfText = characters.length;
    this.vocabSize = characters.length + 1;
  }

  encode(text: string): number[] {
    const tokens: number[] = [];
    for (const character of text) {
      const id = this.ids.get(character);
      if (id === undefined) {
        throw new Error(
          `character ${describeCharacter(character)} at position ${tokens.length} (counting code points) is not in the tokenizer's vocabulary of ${this.characters.length} characters`,
        );
      }
      tokens.push(id);
    }
    return tokens;
  }

  decode(tokens: readonly number[]): string {
    return tokens
      .map((id, index) => {
        if (id === this.endOfText) return END_OF_TEXT;
        const character = this.characters[id];
        if (character === undefined) throw new Error(tokenOutOfRange(id, index, this.vocabSize));
        return character;
      })
      .join("");
  }

  toJSON(): TokenizerJson {
    return { kind: "char", vocabulary: [...this.characters] };
  }
}

/** One token per UTF-8 byte, and end-of-text as token 256. */
class ByteTokenizer implements Tokenizer {
  readonly kind = "byte";
  readonly vocabSize = 257;
  readonly endOfText = 256;
  private readonly encoder = new TextEncoder();
  // Not fatal: generated byte sequences need not be valid UTF-8, and show U+FFFD where they are not.
  private readonly decoder = new TextDecoder("utf-8", { ignoreBOM: true });

  encode(text: string): number[] {
    assertWellFormed(text);
    return Array.from(this.encoder.encode(text));
  }

  decode(tokens: readonly number[]): string {
    let text = "";
    let bytes: number[] = [];
    tokens.forEach((id, index) => {
      if (id === this.endOfText) {
        text += this.decoder.decode(Uint8Array.from(bytes)) + END_OF_TEXT;
        bytes = [];
      } else if (Number.isInteger(id) && id >= 0 && id < 256) {
        bytes.push(id);
      } else {
        throw new Error(tokenOutOfRange(id, index, this.vocabSize));
      }
    });
    return text + this.decoder.decode(Uint8Array.from(bytes));
  }

  toJSON(): TokenizerJson {
    return { kind: "byte" };
  }
}

/** GPT-2's byte-level BPE (r50k_base), 50,257 tokens with <|endoftext|> last. */
class Gpt2Tokenizer implements Tokenizer {
  readonly kind = "gpt2";
  readonly vocabSize = gpt2.vocabularySize;
  readonly endOfText = gpt2.vocabularySize - 1;

  encode(text: string): number[] {
    assertWellFormed(text);
    // A literal "<|endoftext|>" in the text is encoded as ordinary text, never as the special token.
    return gpt2.encode(text, { disallowedSpecial: new Set() });
  }

  decode(tokens: readonly number[]): string {
    tokens.forEach((id, index) => {
      if (!Number.isInteger(id) || id < 0 || id >= this.vocabSize) {
        throw new Error(tokenOutOfRange(id, index, this.vocabSize));
      }
    });
    return gpt2.decode(tokens);
  }

  toJSON(): TokenizerJson {
    return { kind: "gpt2" };
  }
}
