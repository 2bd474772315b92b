// cmaes' reference values (fixtures/cmaes/reference.py wrote reference.json) and a comparison for
// the CMA-ES tests.
import { readFileSync } from "node:fs";
import { expect } from "vitest";
import type { CmaParameters, CmaState, Solution } from "../../src/tuning/samplers/cma.ts";

export type ReferenceState = Pick<CmaState, "mean" | "sigma" | "cov" | "pSigma" | "pc">;

export interface Reference {
  /** cmaes' default strategy parameters for n = 2, 5 and 10. */
  parameters: CmaParameters[];
  /** Three generations told to cmaes from a start, and its state after each. */
  update: {
    start: { mean: number[]; sigma: number };
    generations: {
      solutions: Solution[];
      /** cmaes' h_σ in that update: 0 stalls the rank-one path. */
      hSigma: number;
      after: ReferenceState;
    }[];
  };
}

export const reference = JSON.parse(
  readFileSync(new URL("./fixtures/cmaes/reference.json", import.meta.url), "utf8"),
) as Reference;

/** Element by element to `digits` decimals. */
export function expectClose(actual: number[] | number, expected: number[] | number, digits = 12) {
  const a = [actual].flat();
  const e = [expected].flat();
  expect(a).toHaveLength(e.length);
  for (const [i, x] of a.entries()) expect(x).toBeCloseTo(e[i] as number, digits);
}
