/**
 * Instruction tasks with known answers, for tests: copy a random string, or reverse it. The strings
 * use a small alphabet, so a char tokenizer's vocabulary stays small and a tiny model can learn them.
 */
import type { PromptCompletion } from "../../src/data/instruction-dataset.ts";
import { Random } from "../../src/random.ts";

export interface TaskOptions {
  count: number;
  seed: number;
  /** Length of each string, drawn uniformly from [min, max]. */
  length?: { min: number; max: number };
  alphabet?: string;
}

export function copyTask(options: TaskOptions): PromptCompletion[] {
  return strings(options).map((text, index) => ({
    line: index + 1,
    prompt: text,
    completion: text,
  }));
}

export function reversalTask(options: TaskOptions): PromptCompletion[] {
  return strings(options).map((text, index) => ({
    line: index + 1,
    prompt: text,
    completion: [...text].reverse().join(""),
  }));
}

function strings({ count, seed, length = { min: 3, max: 6 }, alphabet = "abcdef" }: TaskOptions) {
  const random = new Random(seed);
  return Array.from({ length: count }, () =>
    Array.from(
      { length: random.int(length.min, length.max) },
      () => alphabet[random.int(0, alphabet.length - 1)],
    ).join(""),
  );
}
