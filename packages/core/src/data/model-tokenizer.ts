/**
 * A model folder's tokenizer files, read and written: `tokenizer.json` (or GPT-2's older
 * `vocab.json` + `merges.txt`), `tokenizer_config.json` for the special tokens and the chat template,
 * and `special_tokens_map.json`. Folders are ModelFiles (model/hf-folder.ts): names to bytes.
 */
import { type ModelFiles, readJsonFile } from "../model/hf-folder.ts";
import {
  byteLevelBpeTokenizerJson,
  bytesToUnicode,
  gpt2VocabularyFiles,
  type Merge,
  parseMerges,
  type Vocabulary,
} from "./byte-level-bpe.ts";
import {
  type ChatTemplate,
  chatTemplateFromTokenizerConfig,
  PLAIN_CHAT_TEMPLATE,
} from "./chat-template.ts";
import { HfTokenizer, type HfTokenizerJson, specialTokenContent } from "./hf-tokenizer.ts";
import { END_OF_TEXT } from "./tokenizer-text.ts";
import type { Tokenizer } from "./tokenizers.ts";

export const TOKENIZER_FILE = "tokenizer.json";
export const TOKENIZER_CONFIG_FILE = "tokenizer_config.json";
export const SPECIAL_TOKENS_MAP_FILE = "special_tokens_map.json";
export const VOCAB_FILE = "vocab.json";
export const MERGES_FILE = "merges.txt";
/** Every file readModelTokenizer reads: a folder's tokenizer, without its weights. */
export const MODEL_TOKENIZER_FILES = [
  TOKENIZER_FILE,
  TOKENIZER_CONFIG_FILE,
  SPECIAL_TOKENS_MAP_FILE,
  VOCAB_FILE,
  MERGES_FILE,
] as const;

/** The keys of transformers' SPECIAL_TOKENS_ATTRIBUTES, as tokenizer_config.json names them. */
const SPECIAL_TOKEN_KEYS = [
  "bos_token",
  "eos_token",
  "unk_token",
  "sep_token",
  "pad_token",
  "cls_token",
  "mask_token",
  "additional_special_tokens",
];

/**
 * The folder's tokenizer. `embeddingRows` is the model's token embedding row count: a tokenizer
 * whose vocabulary (largest id + 1, added tokens included) differs from it is refused.
 */
export function readModelTokenizer(files: ModelFiles, embeddingRows: number): HfTokenizer {
  // As transformers' PreTrainedTokenizerBase._from_pretrained reads them: special_tokens_map.json's
  // entries apply over tokenizer_config.json's, unless the config is of the newer form that lists
  // its added_tokens_decoder (the map then only repeats it).
  const tokenizerConfig = optionalJsonObject(files, TOKENIZER_CONFIG_FILE);
  const config =
    "added_tokens_decoder" in tokenizerConfig
      ? tokenizerConfig
      : { ...tokenizerConfig, ...optionalJsonObject(files, SPECIAL_TOKENS_MAP_FILE) };
  const tokenizer = new HfTokenizer(tokenizerJson(files, config), config);
  // A chat template that cannot be read is refused now, not when instruction data first needs it.
  modelChatTemplate(tokenizer);
  if (tokenizer.vocabSize !== embeddingRows) {
    throw new Error(
      `the tokenizer's vocabulary has ${tokenizer.vocabSize} tokens (largest id + 1, added tokens included) but the model's embedding has ${embeddingRows} rows: they must be equal`,
    );
  }
  return tokenizer;
}

/** The model's chat template when its tokenizer has one, else PLAIN_CHAT_TEMPLATE. */
export function modelChatTemplate(tokenizer: Tokenizer): ChatTemplate {
  if (!(tokenizer instanceof HfTokenizer)) return PLAIN_CHAT_TEMPLATE;
  return chatTemplateFromTokenizerConfig(tokenizer.config) ?? PLAIN_CHAT_TEMPLATE;
}

/**
 * The tokenizer files of a model folder for `tokenizer`: tokenizer.json, tokenizer_config.json and
 * special_tokens_map.json, and for GPT-2 also vocab.json and merges.txt. A byte tokenizer is
 * byte-level BPE without merges (byte b is id b, end-of-text 256), a char tokenizer BPE without
 * merges over its characters.
 */
export function tokenizerFolderFiles(tokenizer: Tokenizer): Map<string, Uint8Array> {
  const json = tokenizer.toJSON();
  switch (json.kind) {
    case "hf":
      return folderFiles(json.tokenizer, json.config);
    case "gpt2": {
      const { vocab, merges } = gpt2VocabularyFiles();
      const files = byteLevelFolderFiles(vocab, merges, "GPT2Tokenizer");
      files.set(VOCAB_FILE, jsonBytes(vocab));
      files.set(MERGES_FILE, new TextEncoder().encode(mergesText(merges)));
      return files;
    }
    case "byte": {
      const vocab: Vocabulary = Object.fromEntries(
        bytesToUnicode().map((symbol, b) => [symbol, b]),
      );
      vocab[END_OF_TEXT] = 256;
      return byteLevelFolderFiles(vocab, [], "PreTrainedTokenizerFast");
    }
    case "char": {
      // BPE without merges over the characters: each code point is its own token, and the Fuse
      // decoder joins tokens back without the spaces a decoder-less tokenizer puts between them.
      const vocab: Vocabulary = Object.fromEntries(
        json.vocabulary.map((character, id) => [character, id]),
      );
      vocab[END_OF_TEXT] = json.vocabulary.length;
      const bpe = byteLevelBpeTokenizerJson(vocab, [], [END_OF_TEXT]);
      return folderFiles(
        { ...bpe, pre_tokenizer: null, post_processor: null, decoder: { type: "Fuse" } },
        specialTokensConfig("PreTrainedTokenizerFast"),
      );
    }
  }
}

/** merges.txt as GPT-2's: a version line, then one merge per line. */
function mergesText(merges: readonly Merge[]): string {
  return `#version: 0.2\n${merges.map(([left, right]) => `${left} ${right}\n`).join("")}`;
}

function byteLevelFolderFiles(
  vocab: Vocabulary,
  merges: readonly Merge[],
  tokenizerClass: string,
): Map<string, Uint8Array> {
  return folderFiles(
    byteLevelBpeTokenizerJson(vocab, merges, [END_OF_TEXT]),
    specialTokensConfig(tokenizerClass),
  );
}

/** tokenizer_config.json of Attune's own tokenizers: end-of-text is every special token. */
function specialTokensConfig(tokenizerClass: string): HfTokenizerJson {
  return {
    tokenizer_class: tokenizerClass,
    bos_token: END_OF_TEXT,
    eos_token: END_OF_TEXT,
    unk_token: END_OF_TEXT,
    add_prefix_space: false,
    clean_up_tokenization_spaces: false,
  };
}

function folderFiles(tokenizer: HfTokenizerJson, config: HfTokenizerJson): Map<string, Uint8Array> {
  const specialTokens = Object.fromEntries(
    SPECIAL_TOKEN_KEYS.filter((key) => config[key] != null).map((key) => [key, config[key]]),
  );
  return new Map([
    [TOKENIZER_FILE, jsonBytes(tokenizer)],
    [TOKENIZER_CONFIG_FILE, jsonBytes(config)],
    [SPECIAL_TOKENS_MAP_FILE, jsonBytes(specialTokens)],
  ]);
}

function tokenizerJson(files: ModelFiles, config: HfTokenizerJson): HfTokenizerJson {
  if (files.has(TOKENIZER_FILE)) {
    return jsonObject(readJsonFile(files, TOKENIZER_FILE, "the tokenizer"), TOKENIZER_FILE);
  }
  const hasVocab = files.has(VOCAB_FILE);
  const hasMerges = files.has(MERGES_FILE);
  if (!hasVocab || !hasMerges) {
    const found =
      hasVocab || hasMerges
        ? `; it has ${hasVocab ? VOCAB_FILE : MERGES_FILE} without ${hasVocab ? MERGES_FILE : VOCAB_FILE}`
        : "";
    throw new Error(
      `the model folder has no tokenizer: looked for ${TOKENIZER_FILE}, or ${VOCAB_FILE} with ${MERGES_FILE}${found}; its files are ${[...files.keys()].join(", ") || "none"}`,
    );
  }
  const vocab = jsonObject(
    readJsonFile(files, VOCAB_FILE, "the BPE vocabulary"),
    VOCAB_FILE,
  ) as Vocabulary;
  const merges = parseMerges(new TextDecoder().decode(files.get(MERGES_FILE)));
  // GPT2Tokenizer's unk, bos and eos default to <|endoftext|>; the config may name others.
  const named = SPECIAL_TOKEN_KEYS.flatMap((key) => {
    const value = config[key];
    return (Array.isArray(value) ? value : [value]).map(specialTokenContent);
  }).filter((token) => token !== undefined);
  return byteLevelBpeTokenizerJson(vocab, merges, [END_OF_TEXT, ...named]);
}

function optionalJsonObject(files: ModelFiles, name: string): HfTokenizerJson {
  if (!files.has(name)) return {};
  return jsonObject(readJsonFile(files, name, "tokenizer settings"), name);
}

function jsonObject(value: unknown, name: string): HfTokenizerJson {
  if (typeof value !== "object" || value === null || Array.isArray(value)) {
    throw new Error(
      `${name} holds ${Array.isArray(value) ? "an array" : JSON.stringify(value)}, not a JSON object`,
    );
  }
  return value as HfTokenizerJson;
}

function jsonBytes(value: unknown): Uint8Array {
  return new TextEncoder().encode(`${JSON.stringify(value, null, 2)}\n`);
}
