// The Jacobi eigendecomposition CMA-ES uses for its covariance.
import { describe, expect, it } from "vitest";
import { Random } from "../../src/random.ts";
import { symmetricEigen } from "../../src/tuning/samplers/eigen.ts";
import { expectClose } from "./cmaes-reference.ts";

function randomSymmetric(n: number, random: Random): number[][] {
  const m = Array.from({ length: n }, () => new Array<number>(n).fill(0));
  for (let i = 0; i < n; i++) {
    for (let j = i; j < n; j++) {
      const value = random.normal();
      (m[i] as number[])[j] = value;
      (m[j] as number[])[i] = value;
    }
  }
  return m;
}

/** V diag(values) Vᵀ. */
function reconstruct(values: number[], vectors: number[][]): number[][] {
  return vectors.map((rowI) =>
    vectors.map((rowJ) =>
      values.reduce((sum, value, k) => sum + value * (rowI[k] as number) * (rowJ[k] as number), 0),
    ),
  );
}

function maxAbsDifference(a: number[][], b: number[][]): number {
  return Math.max(...a.flatMap((row, i) => row.map((x, j) => Math.abs(x - (b[i]?.[j] as number)))));
}

describe("symmetricEigen", () => {
  it("gives the closed-form eigenvalues of the second-difference matrix, 2 - 2cos(kπ/(n+1))", () => {
    // tridiag(-1, 2, -1): a textbook matrix whose spectrum is known exactly (e.g. Strang,
    // Linear Algebra and its Applications, on the discrete Laplacian).
    for (const n of [1, 2, 5, 12]) {
      const matrix = Array.from({ length: n }, (_, i) =>
        Array.from({ length: n }, (_, j) => (i === j ? 2 : Math.abs(i - j) === 1 ? -1 : 0)),
      );
      const expected = Array.from(
        { length: n },
        (_, k) => 2 - 2 * Math.cos(((k + 1) * Math.PI) / (n + 1)),
      );
      expectClose(symmetricEigen(matrix).values, expected, 13);
    }
  });

  it("decomposes random symmetric matrices: A = V diag(λ) Vᵀ, V orthonormal, λ ascending", () => {
    const random = new Random(3);
    for (const n of [2, 3, 6, 10, 20]) {
      const matrix = randomSymmetric(n, random);
      const { values, vectors } = symmetricEigen(matrix);
      expect(maxAbsDifference(reconstruct(values, vectors), matrix)).toBeLessThan(1e-12);
      const identity = Array.from({ length: n }, (_, i) =>
        Array.from({ length: n }, (_, j) => (i === j ? 1 : 0)),
      );
      const gram = identity.map((_, k) =>
        identity.map((_, l) =>
          vectors.reduce((sum, row) => sum + (row[k] as number) * (row[l] as number), 0),
        ),
      );
      expect(maxAbsDifference(gram, identity)).toBeLessThan(1e-12);
      for (let k = 1; k < n; k++) {
        expect(values[k] as number).toBeGreaterThanOrEqual(values[k - 1] as number);
      }
    }
  });

  it("keeps a matrix with a huge condition number accurate relative to its norm", () => {
    // A rotated diag(1, 1e-10, 1e6): CMA-ES covariances become this ill-conditioned.
    const c = Math.cos(0.3);
    const s = Math.sin(0.3);
    const rotation = [
      [c, -s, 0],
      [s, c, 0],
      [0, 0, 1],
    ];
    const matrix = reconstruct([1, 1e-10, 1e6], rotation);
    const { values, vectors } = symmetricEigen(matrix);
    expect(values[0]).toBeCloseTo(1e-10, 9);
    expect(values[1]).toBeCloseTo(1, 9);
    expect(values[2]).toBeCloseTo(1e6, 6);
    expect(maxAbsDifference(reconstruct(values, vectors), matrix)).toBeLessThan(1e-9);
  });

  it("leaves a diagonal matrix's axes as they are, sorted by value", () => {
    const { values, vectors } = symmetricEigen([
      [3, 0, 0],
      [0, 1, 0],
      [0, 0, 2],
    ]);
    expect(values).toEqual([1, 2, 3]);
    expect(vectors).toEqual([
      [0, 0, 1],
      [1, 0, 0],
      [0, 1, 0],
    ]);
  });

  it("refuses a matrix with a non-finite entry, naming it", () => {
    expect(() =>
      symmetricEigen([
        [1, Number.NaN],
        [Number.NaN, 1],
      ]),
    ).toThrow(/entry \(0, 1\) is NaN/);
  });
});
