/**
 * Text checks and messages shared by the tokenizers (kept apart from tokenizers.ts so that the
 * Hugging Face tokenizer, which tokenizers.ts builds from JSON, can use them without an import cycle).
 */

/** How end-of-text reads when decoded; GPT-2 spells its special token the same way. */
export const END_OF_TEXT = "<|endoftext|>";

/** A lone surrogate has no UTF-8 encoding: byte-level tokenizers would silently turn it into U+FFFD. */
export function assertWellFormed(text: string) {
  for (let i = 0; i < text.length; i++) {
    const unit = text.charCodeAt(i);
    const isHigh = unit >= 0xd800 && unit <= 0xdbff;
    const isLow = unit >= 0xdc00 && unit <= 0xdfff;
    const nextIsLow = i + 1 < text.length && (text.charCodeAt(i + 1) & 0xfc00) === 0xdc00;
    if (isHigh && nextIsLow) i++;
    else if (isHigh || isLow) {
      throw new Error(
        `text has a lone surrogate ${describeCharacter(text[i] ?? "")} at UTF-16 index ${i}: it is not valid Unicode and cannot be encoded as UTF-8`,
      );
    }
  }
}

export function describeCharacter(character: string): string {
  const codePoint = character.codePointAt(0) ?? 0;
  return `${JSON.stringify(character)} (U+${codePoint.toString(16).toUpperCase().padStart(4, "0")})`;
}

export function tokenOutOfRange(id: number, index: number, vocabSize: number): string {
  return `token ${id} at index ${index} is not in the vocabulary (ids 0 to ${vocabSize - 1})`;
}
