import { Random } from "../../src/random.ts";

/**
 * A token stream over 12 tokens with structure to learn: each token mostly follows from the one
 * before, so the loss falls fast towards a floor.
 */
export function tokenStream(length: number, seed: number): Int32Array {
  const random = new Random(seed);
  const tokens = new Int32Array(length);
  for (let i = 1; i < length; i++) {
    tokens[i] = random.next() < 0.8 ? ((tokens[i - 1] as number) * 5 + 1) % 12 : random.int(0, 11);
  }
  return tokens;
}
