/**
 * Text generation from a trained language model: greedy decoding, or sampling with temperature,
 * top-k and top-p (nucleus), one token at a time, streamed as an async iterator. Sampling draws
 * from a seeded Random, so the same seed gives the same text.
 */
import type { Tokenizer } from "./data/tokenizers.ts";
import { lastLogits } from "./last-logits.ts";
import type { GPT } from "./model/gpt.ts";
import { Random } from "./random.ts";

export interface GenerateOptions {
  /** Text to continue, or its tokens already encoded (a chat prompt's end-of-turn tokens). */
  prompt: string | readonly number[];
  /** Most new tokens to generate. */
  maxLength: number;
  /** 0 picks the most likely token (greedy); default 1. */
  temperature?: number;
  /** Sample only among the k most likely tokens. */
  topK?: number;
  /** Sample only among the most likely tokens whose probabilities add up to p. */
  topP?: number;
  seed?: number;
  /** Stop after emitting the tokenizer's end-of-text token (default true). */
  stopAtEndOfText?: boolean;
}

export interface GeneratedToken {
  token: number;
  /** The new text this token completes; empty while a multi-byte character is still partial. */
  text: string;
}

export async function* generate(
  model: GPT,
  tokenizer: Tokenizer,
  options: GenerateOptions,
): AsyncGenerator<GeneratedToken> {
  checkOptions(options);
  const random = new Random(options.seed ?? 0);
  const context =
    typeof options.prompt === "string" ? tokenizer.encode(options.prompt) : [...options.prompt];
  if (context.length === 0) {
    if (tokenizer.endOfText === undefined) {
      throw new Error("an empty prompt needs a tokenizer with an end-of-text token to start from");
    }
    context.push(tokenizer.endOfText);
  }
  const generated: number[] = [];
  let emittedText = "";
  for (let i = 0; i < options.maxLength; i++) {
    const window = context.slice(-model.config.seqLen);
    const logits = lastLogits(model, [window]);
    const token = pickToken(logits, options, random);
    context.push(token);
    generated.push(token);
    const text = tokenizer.decode(generated);
    // A byte-level token can end inside a character, which decodes to U+FFFD until it is complete.
    const complete = !text.endsWith("\uFFFD");
    yield { token, text: complete ? text.slice(emittedText.length) : "" };
    if (complete) emittedText = text;
    if ((options.stopAtEndOfText ?? true) && token === tokenizer.endOfText) return;
    // Let the consumer and other tasks run between tokens.
    await new Promise((resolve) => setImmediate(resolve));
  }
}

export function pickToken(
  logits: Float32Array,
  options: Pick<GenerateOptions, "temperature" | "topK" | "topP">,
  random: Random,
): number {
  const temperature = options.temperature ?? 1;
  if (temperature === 0) return argmax(logits);
  const byLogit = Array.from(logits.keys()).sort((a, b) => (logits[b] ?? 0) - (logits[a] ?? 0));
  // Softmax at this temperature over the candidates, most likely first.
  let candidates = byLogit.slice(0, options.topK ?? byLogit.length);
  const top = logits[candidates[0] as number] as number;
  let weights = candidates.map((token) =>
    Math.exp(((logits[token] as number) - top) / temperature),
  );
  if (options.topP !== undefined) {
    const total = weights.reduce((sum, w) => sum + w, 0);
    let cumulative = 0;
    // Keep tokens until their probability mass reaches topP (always at least the first).
    const kept = weights.findIndex((w) => {
      cumulative += w / total;
      return cumulative >= (options.topP as number);
    });
    const keptCount = kept === -1 ? weights.length : kept + 1;
    candidates = candidates.slice(0, keptCount);
    weights = weights.slice(0, keptCount);
  }
  const total = weights.reduce((sum, w) => sum + w, 0);
  let threshold = random.next() * total;
  for (let i = 0; i < candidates.length; i++) {
    threshold -= weights[i] as number;
    if (threshold < 0) return candidates[i] as number;
  }
  return candidates[candidates.length - 1] as number;
}

/** The first index of the largest value (as a stable sort puts first). */
function argmax(values: Float32Array): number {
  let best = 0;
  for (let i = 1; i < values.length; i++) {
    if ((values[i] as number) > (values[best] as number)) best = i;
  }
  return best;
}

function checkOptions(options: GenerateOptions) {
  const { maxLength, temperature, topK, topP } = options;
  if (!Number.isInteger(maxLength) || maxLength < 0) {
    throw new Error(`maxLength must be a whole number, 0 or more, got ${maxLength}`);
  }
  if (temperature !== undefined && !(temperature >= 0)) {
    throw new Error(`temperature must be 0 (greedy) or more, got ${temperature}`);
  }
  if (topK !== undefined && !(Number.isInteger(topK) && topK >= 1)) {
    throw new Error(`topK must be a positive whole number, got ${topK}`);
  }
  if (topP !== undefined && !(topP > 0 && topP <= 1)) {
    throw new Error(`topP must be in (0, 1], got ${topP}`);
  }
}
