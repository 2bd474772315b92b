import { describe, expect, it } from "vitest";
import {
  cholesky,
  choleskyInverse,
  choleskyLogDeterminant,
  choleskySolve,
  NotPositiveDefiniteError,
  solveLower,
  solveLowerTransposed,
} from "../../src/tuning/samplers/gp/linalg.ts";

// The worked example of Wikipedia's "Cholesky decomposition" article: A = L Lᵀ with integer L.
const A = Float64Array.from([4, 12, -16, 12, 37, -43, -16, -43, 98]);
const L = [2, 0, 0, 6, 1, 0, -8, 5, 3];

function multiply(a: ArrayLike<number>, b: ArrayLike<number>, n: number): number[] {
  return Array.from({ length: n * n }, (_, k) => {
    const i = Math.floor(k / n);
    const j = k % n;
    let sum = 0;
    for (let m = 0; m < n; m++) sum += (a[i * n + m] as number) * (b[m * n + j] as number);
    return sum;
  });
}

describe("GP linear algebra", () => {
  it("factors the textbook matrix into its integer Cholesky factor", () => {
    expect([...cholesky(A, 3)]).toEqual(L);
  });

  it("solves with the factor and its transpose", () => {
    const l = cholesky(A, 3);
    // L y = b for b = L·[1, 2, 3] = [2, 8, 11]; Lᵀ x = c for c = Lᵀ·[1, 2, 3] = [-10, 17, 9].
    expect([...solveLower(l, 3, [2, 8, 11])]).toEqual([1, 2, 3]);
    expect([...solveLowerTransposed(l, 3, [-10, 17, 9])]).toEqual([1, 2, 3]);
    // A·[1, -1, 2] = [-40, -111, 223].
    const x = choleskySolve(l, 3, [-40, -111, 223]);
    for (const [i, value] of [1, -1, 2].entries()) expect(x[i]).toBeCloseTo(value, 10);
  });

  it("inverts: A·A⁻¹ is the identity, and A⁻¹ is symmetric", () => {
    const inverse = choleskyInverse(cholesky(A, 3), 3);
    for (const [k, value] of multiply(A, inverse, 3).entries()) {
      expect(value).toBeCloseTo(k % 4 === 0 ? 1 : 0, 10);
    }
    expect(inverse[1]).toBe(inverse[3]);
  });

  it("gives log det A = 2 Σ log L_ii (det A = (2·1·3)² = 36)", () => {
    expect(choleskyLogDeterminant(cholesky(A, 3), 3)).toBeCloseTo(Math.log(36), 12);
  });

  it("refuses a matrix that is not positive definite, naming the pivot", () => {
    const indefinite = Float64Array.from([1, 2, 2, 1]);
    expect(() => cholesky(indefinite, 2)).toThrow(NotPositiveDefiniteError);
    expect(() => cholesky(indefinite, 2)).toThrow(/pivot 1 of 2/);
  });
});
