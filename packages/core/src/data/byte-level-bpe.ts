/**
 * GPT-2 style byte-level BPE in Hugging Face's file forms: `vocab.json` + `merges.txt` (the files
 * of openai/gpt-2 and transformers' GPT2Tokenizer) converted to one `tokenizer.json` as
 * GPT2TokenizerFast writes it, and GPT-2's own files rebuilt from gpt-tokenizer's r50k_base ranks.
 */
import r50kRanks from "gpt-tokenizer/bpeRanks/r50k_base";
import { END_OF_TEXT } from "./tokenizer-text.ts";

export type Vocabulary = Record<string, number>;
export type Merge = readonly [string, string];

/**
 * GPT-2's bytes_to_unicode (openai/gpt-2, src/encoder.py): printable bytes stand for themselves, the
 * others for code points from 256 up in byte order, so every token is printable text ("Ġ" is a space).
 */
export function bytesToUnicode(): string[] {
  const printable = (byte: number) =>
    (byte >= 0x21 && byte <= 0x7e) || (byte >= 0xa1 && byte <= 0xac) || byte >= 0xae;
  let next = 256;
  return Array.from({ length: 256 }, (_, byte) =>
    String.fromCodePoint(printable(byte) ? byte : next++),
  );
}

/** merges.txt: an optional "#version" line, then one merge per line, its two tokens space-separated. */
export function parseMerges(text: string): Merge[] {
  const merges: Merge[] = [];
  text.split("\n").forEach((raw, index) => {
    const line = raw.replace(/\r$/, "");
    if (line === "" || (index === 0 && line.startsWith("#version"))) return;
    const parts = line.split(" ");
    if (parts.length !== 2 || parts[0] === "" || parts[1] === "") {
      throw new Error(
        `merges.txt line ${index + 1} is ${JSON.stringify(line)}, not two tokens separated by one space`,
      );
    }
    merges.push([parts[0] as string, parts[1] as string]);
  });
  return merges;
}

/**
 * tokenizer.json for a byte-level BPE vocabulary and its merges, laid out as GPT-2's own (the
 * hub's openai-community/gpt2 tokenizer.json): ByteLevel pre-tokenizer, post-processor and decoder,
 * no normalizer, no unknown token. `specialTokens` present in the vocabulary become special added
 * tokens, matched whole in text as Hugging Face's tokenizers match them.
 */
export function byteLevelBpeTokenizerJson(
  vocab: Vocabulary,
  merges: readonly Merge[],
  specialTokens: readonly string[],
): Record<string, unknown> {
  checkVocabulary(vocab);
  merges.forEach(([left, right], index) => {
    for (const token of [left, right, left + right]) {
      if (!Object.hasOwn(vocab, token)) {
        throw new Error(
          `merge ${index + 1} ("${left} ${right}") uses ${JSON.stringify(token)}, which vocab.json does not have`,
        );
      }
    }
  });
  const byteLevel = {
    type: "ByteLevel",
    add_prefix_space: false,
    trim_offsets: true,
    use_regex: true,
  };
  return {
    version: "1.0",
    truncation: null,
    padding: null,
    added_tokens: [...new Set(specialTokens)]
      .filter((token) => Object.hasOwn(vocab, token))
      .map((token) => ({
        id: vocab[token],
        content: token,
        single_word: false,
        lstrip: false,
        rstrip: false,
        normalized: true,
        special: true,
      })),
    normalizer: null,
    pre_tokenizer: byteLevel,
    post_processor: { ...byteLevel, add_prefix_space: true, trim_offsets: false },
    decoder: { ...byteLevel, add_prefix_space: true },
    model: {
      type: "BPE",
      dropout: null,
      unk_token: null,
      continuing_subword_prefix: "",
      end_of_word_suffix: "",
      fuse_unk: false,
      byte_fallback: false,
      ignore_merges: false,
      vocab,
      merges: merges.map(([left, right]) => `${left} ${right}`),
    },
  };
}

function checkVocabulary(vocab: Vocabulary) {
  const tokenOf = new Map<number, string>();
  for (const [token, id] of Object.entries(vocab)) {
    if (!Number.isInteger(id) || id < 0) {
      throw new Error(
        `vocab.json maps ${JSON.stringify(token)} to ${JSON.stringify(id)}, not a token id`,
      );
    }
    const other = tokenOf.get(id);
    if (other !== undefined) {
      throw new Error(
        `vocab.json gives id ${id} to both ${JSON.stringify(other)} and ${JSON.stringify(token)}`,
      );
    }
    tokenOf.set(id, token);
  }
}

/**
 * GPT-2's vocab.json and merges rebuilt from gpt-tokenizer's r50k_base ranks (tiktoken's form:
 * token bytes by rank, no merges). A token's merge is found as tiktoken's BPE builds the token from
 * its bytes using only the tokens ranked below it: the last step joins two parts, and the merge of
 * rank r makes token 256 + r, as in GPT-2's merges.txt. <|endoftext|> is id 50256.
 */
export function gpt2VocabularyFiles(): { vocab: Vocabulary; merges: Merge[] } {
  const byteSymbol = bytesToUnicode();
  const encoder = new TextEncoder();
  const tokens = r50kRanks.map((entry) =>
    Array.from(typeof entry === "string" ? encoder.encode(entry) : entry, (byte) => {
      return byteSymbol[byte] as string;
    }),
  );
  const rankOf = new Map(tokens.map((symbols, rank) => [symbols.join(""), rank]));
  const merges = tokens.slice(256).map((symbols, index) => {
    const parts = mergeBelow(symbols, 256 + index, rankOf);
    if (parts.length !== 2) {
      throw new Error(`r50k_base token ${256 + index} is not built by one merge of lower ranks`);
    }
    return [parts[0], parts[1]] as Merge;
  });
  const vocab: Vocabulary = Object.fromEntries(rankOf);
  vocab[END_OF_TEXT] = tokens.length;
  return { vocab, merges };
}

/** BPE on `symbols` with the merges of tokens ranked below `limit`, lowest rank first. */
function mergeBelow(symbols: string[], limit: number, rankOf: Map<string, number>): string[] {
  const parts = [...symbols];
  for (;;) {
    let best = -1;
    let bestRank = limit;
    for (let i = 0; i + 1 < parts.length; i++) {
      const rank = rankOf.get((parts[i] as string) + parts[i + 1]);
      if (rank !== undefined && rank < bestRank) {
        best = i;
        bestRank = rank;
      }
    }
    if (best < 0) return parts;
    parts.splice(best, 2, (parts[best] as string) + parts[best + 1]);
  }
}
