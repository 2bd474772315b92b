/**
 * Completions for many prompts at once, as evaluations need them: prompts of the same length are
 * batched, and every step runs one forward pass over a batch's unfinished rows. Rows of one length
 * stay of one length as they grow, so no row is ever padded, and attention takes the model's
 * fastest path (padding would need segments, which the native kernels lack).
 */
import { pickToken } from "./generate.ts";
import { lastLogits } from "./last-logits.ts";
import type { GPT } from "./model/gpt.ts";
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
  const byLength = new Map<number, number[]>();
  prompts.forEach((prompt, index) => {
    byLength.set(prompt.length, [...(byLength.get(prompt.length) ?? []), index]);
  });
  for (const indices of byLength.values()) {
    for (let start = 0; start < indices.length; start += batchSize) {
      const batch = indices.slice(start, start + batchSize);
      generateRows(model, prompts, completions, batch, options, random);
    }
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
