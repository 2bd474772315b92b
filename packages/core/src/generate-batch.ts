/**
 * Completions for many prompts at once, as evaluations need them: every step runs one forward pass
 * over all unfinished rows. Prompts of different lengths are padded on the left, the padding put in
 * a segment of its own, so each row attends only to its own tokens and its positions start at its
 * first token, as if it were alone (see the model's segments).
 */
import * as tf from "@tensorflow/tfjs";
import { pickToken } from "./generate.ts";
import { type GPT, languageModelLogits } from "./model/gpt.ts";
import { Random } from "./random.ts";

export interface BatchGenerateOptions {
  /** Most new tokens per prompt. */
  maxNewTokens: number;
  /** A row is done when it writes this token, which its completion leaves out. */
  stopToken: number;
  /** 0 picks the likeliest token (greedy); sampling draws from a Random seeded by `seed`. */
  temperature: number;
  seed: number;
  /** Rows per forward pass (default 64): more rows, fewer passes, more memory. */
  batchSize?: number;
}

/** Each prompt's new tokens, up to the stop token or maxNewTokens. */
export function generateCompletions(
  model: GPT,
  prompts: readonly (readonly number[])[],
  options: BatchGenerateOptions,
): number[][] {
  prompts.forEach((prompt, index) => {
    if (prompt.length === 0) throw new Error(`prompt ${index} has no tokens to continue`);
  });
  const random = new Random(options.seed);
  const batchSize = options.batchSize ?? 64;
  const completions: number[][] = prompts.map(() => []);
  for (let start = 0; start < prompts.length; start += batchSize) {
    const indices = Array.from(
      { length: Math.min(batchSize, prompts.length - start) },
      (_, i) => start + i,
    );
    generateRows(model, prompts, completions, indices, options, random);
  }
  return completions;
}

function generateRows(
  model: GPT,
  prompts: readonly (readonly number[])[],
  completions: number[][],
  indices: number[],
  options: BatchGenerateOptions,
  random: Random,
) {
  let active = indices;
  for (let step = 0; step < options.maxNewTokens && active.length > 0; step++) {
    const rows = active.map((index) =>
      [...(prompts[index] as number[]), ...(completions[index] as number[])].slice(
        -model.config.seqLen,
      ),
    );
    const logits = lastLogits(model, rows);
    const vocabSize = logits.length / rows.length;
    active = active.filter((index, row) => {
      const rowLogits = logits.subarray(row * vocabSize, (row + 1) * vocabSize);
      const token = pickToken(rowLogits, { temperature: options.temperature }, random);
      if (token === options.stopToken) return false;
      (completions[index] as number[]).push(token);
      return true;
    });
  }
}

/** The logits after each row's last token, [rows · vocabSize], rows left-padded to one length. */
function lastLogits(model: GPT, rows: number[][]): Float32Array {
  const length = Math.max(...rows.map((row) => row.length));
  const tokens = new Int32Array(rows.length * length);
  const segments = new Int32Array(rows.length * length);
  rows.forEach((row, r) => {
    const padding = length - row.length;
    tokens.set(row, r * length + padding);
    segments.fill(-1, r * length, r * length + padding);
  });
  const padded = rows.some((row) => row.length < length);
  return tf.tidy(() => {
    const logits = languageModelLogits(model, tokens, rows.length, {
      ...(padded ? { segments } : {}),
    });
    const last = Int32Array.from(rows, (_, r) => r * length + length - 1);
    return tf.gather(logits, last).dataSync() as Float32Array;
  });
}
