import { describe, expect, it } from "vitest";
import { minimizeBox } from "../../src/tuning/samplers/gp/lbfgsb.ts";

/** Rosenbrock's function 100 (y − x²)² + (1 − x)², minimum 0 at (1, 1), and its gradient. */
function rosenbrock([x, y]: number[]) {
  const a = x as number;
  const b = y as number;
  return {
    value: 100 * (b - a * a) ** 2 + (1 - a) ** 2,
    gradient: [-400 * a * (b - a * a) - 2 * (1 - a), 200 * (b - a * a)],
  };
}

describe("box-constrained L-BFGS", () => {
  it("finds Rosenbrock's minimum from the classic start (-1.2, 1)", () => {
    const result = minimizeBox(rosenbrock, [-1.2, 1], { gradientTolerance: 1e-8 });
    expect(result.converged).toBe(true);
    expect(result.x[0]).toBeCloseTo(1, 4);
    expect(result.x[1]).toBeCloseTo(1, 4);
  });

  it("stops at the bound when the minimum lies outside the box", () => {
    // With x ≤ 0.5, f ≥ (1 − x)² ≥ 0.25, reached only at (0.5, 0.25).
    const result = minimizeBox(rosenbrock, [-1.2, 1], {
      lower: [-2, -1],
      upper: [0.5, 2],
      gradientTolerance: 1e-8,
    });
    expect(result.x[0]).toBe(0.5);
    expect(result.x[1]).toBeCloseTo(0.25, 5);
    expect(result.value).toBeCloseTo(0.25, 8);
  });

  it("projects the minimum of a separable quadratic onto the box, from a start outside it", () => {
    const centre = [2, -3, 0.5];
    const result = minimizeBox(
      (x) => ({
        value: x.reduce((sum, xi, i) => sum + (xi - (centre[i] as number)) ** 2, 0),
        gradient: x.map((xi, i) => 2 * (xi - (centre[i] as number))),
      }),
      [5, 5, 5],
      { lower: [0, 0, 0], upper: [1, 1, 1] },
    );
    expect(result.x[0]).toBe(1);
    expect(result.x[1]).toBe(0);
    expect(result.x[2]).toBeCloseTo(0.5, 6);
  });

  it("steps back from where the function is undefined", () => {
    // x² is undefined (non-finite) below 0.2: the search must stay at or above it.
    const result = minimizeBox(
      ([x]) => ({
        value: (x as number) < 0.2 ? Number.NaN : (x as number) ** 2,
        gradient: [2 * (x as number)],
      }),
      [3],
    );
    expect(result.x[0]).toBeGreaterThanOrEqual(0.2);
    expect(result.x[0]).toBeLessThan(0.3);
  });
});
