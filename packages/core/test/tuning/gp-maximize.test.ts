import { describe, expect, it } from "vitest";
import { Random } from "../../src/random.ts";
import type { Acquisition } from "../../src/tuning/samplers/gp/acquisition.ts";
import {
  type AcquisitionDomain,
  maximizeAcquisition,
} from "../../src/tuning/samplers/gp/maximize.ts";

const grid = (count: number) => Array.from({ length: count }, (_, k) => (k + 0.5) / count);

// A continuous coordinate, a discrete one with few values (searched exhaustively), one with
// many (coarse pass and refinement) and an unordered choice.
const domain: AcquisitionDomain = {
  dimensions: [
    { kind: "continuous", choices: [] },
    { kind: "discrete", choices: grid(5) },
    { kind: "discrete", choices: grid(200) },
    { kind: "categorical", choices: grid(3) },
  ],
  canonical: (x) => ({
    x: x.map((value, d) => {
      const choices = domain.dimensions[d]?.choices ?? [];
      if (choices.length === 0) return value;
      return choices.reduce((best, c) => (Math.abs(c - value) < Math.abs(best - value) ? c : best));
    }),
    active: x.map(() => true),
  }),
};

/** A smooth bowl with its peak at (0.37, value 3 of 5, value 141 of 200, choice 0). */
const peak = [0.37, grid(5)[3] as number, grid(200)[141] as number, grid(3)[0] as number];
const acquisition: Acquisition = {
  lengthScales: [0.5, 1, 1, 1],
  value: (x) => acquisition.valueAndGradient(x).value,
  valueAndGradient: (x) => {
    const [x0, x1, x2, x3] = x as [number, number, number, number];
    const [p0, p1, p2, p3] = peak as [number, number, number, number];
    return {
      value: -10 * (x0 - p0) ** 2 - (x1 - p1) ** 2 - (x2 - p2) ** 2 - (x3 === p3 ? 0 : 1),
      gradient: Float64Array.from([-20 * (x0 - p0), 0, 0, 0]),
    };
  },
};

describe("acquisition maximisation over a mixed space", () => {
  it("finds the peak: L-BFGS on the continuous coordinate, search on the others", () => {
    // Few candidates, so the local searches do the work.
    const x = maximizeAcquisition(acquisition, domain, {
      candidates: 8,
      localSearches: 3,
      warmStarts: [],
      random: new Random(3),
    });
    expect(x[0]).toBeCloseTo(0.37, 4);
    expect(x.slice(1)).toEqual(peak.slice(1));
  });

  it("starts from the warm start too", () => {
    const x = maximizeAcquisition(acquisition, domain, {
      candidates: 1,
      localSearches: 2,
      warmStarts: [peak],
      random: new Random(4),
    });
    expect(x).toEqual(peak);
  });
});
