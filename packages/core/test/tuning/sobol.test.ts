import { describe, expect, it } from "vitest";
import { Random } from "../../src/random.ts";
import { SOBOL_MAX_DIMENSIONS, SobolSampler } from "../../src/tuning/samplers/sobol.ts";
import type { SearchSpace } from "../../src/tuning/space.ts";
import type { StudyHistory } from "../../src/tuning/types.ts";

describe("sobol sampler", () => {
  it("reproduces the plain Joe & Kuo sequence (values checked against SciPy's Sobol)", () => {
    const plain = new SobolSampler({ scramble: false });
    expect(plain.point(0, 3)).toEqual([0, 0, 0]);
    expect(plain.point(1, 3)).toEqual([0.5, 0.5, 0.5]);
    expect(plain.point(2, 3)).toEqual([0.75, 0.25, 0.25]);
    expect(plain.point(5, 3)).toEqual([0.875, 0.875, 0.125]);
    const dimensions = [0, 1, 2, 9, 99, 255];
    const at = (index: number) => dimensions.map((d) => plain.point(index, 256)[d]);
    expect(at(100)).toEqual([0.4140625, 0.2578125, 0.7734375, 0.6953125, 0.8828125, 0.5703125]);
    const far = at(3_000_000).map((x) => Number(x?.toFixed(10)));
    expect(far).toEqual([
      0.0220468044, 0.1715843678, 0.3529112339, 0.0692021847, 0.2148530483, 0.674544096,
    ]);
  });

  it("skips the plain sequence's origin so the first trial is not every low bound", () => {
    const space: SearchSpace = { x: { type: "float", low: 0, high: 1 } };
    const history: StudyHistory = { directions: ["minimize"], trials: [] };
    expect(new SobolSampler({ scramble: false }).ask(space, history)).toEqual({ x: 0.5 });
  });

  it("keeps a scrambled block of 2^k points balanced in every dimension", () => {
    const sampler = new SobolSampler({ scramble: true }, 42);
    const points = Array.from({ length: 64 }, (_, i) => sampler.point(i, 12));
    for (let d = 0; d < 12; d++) {
      const cells = new Set(points.map((point) => Math.floor((point[d] as number) * 64)));
      expect(cells.size).toBe(64);
    }
    // A different seed scrambles differently.
    expect(new SobolSampler({}, 43).point(0, 12)).not.toEqual(points[0]);
  });

  it("gives each new trial the next point, distinct from the ones handed out", () => {
    const space: SearchSpace = {
      a: { type: "float", low: -1, high: 1 },
      b: { type: "float", low: 1e-3, high: 1, log: true },
    };
    const sampler = new SobolSampler({}, 3);
    const history: StudyHistory = { directions: ["minimize"], trials: [] };
    for (let number = 0; number < 50; number++) {
      const params = sampler.ask(space, history);
      history.trials.push({ number, params, state: "running", intermediate: [] });
    }
    const keys = new Set(history.trials.map((trial) => JSON.stringify(trial.params)));
    expect(keys.size).toBe(50);
  });

  it("refuses more parameters than it has direction numbers for", () => {
    const space: SearchSpace = Object.fromEntries(
      Array.from({ length: SOBOL_MAX_DIMENSIONS + 1 }, (_, i) => [
        `x${i}`,
        { type: "float", low: 0, high: 1 },
      ]),
    );
    const history: StudyHistory = { directions: ["minimize"], trials: [] };
    expect(() => new SobolSampler().ask(space, history)).toThrow(
      `sobol sampler supports up to ${SOBOL_MAX_DIMENSIONS} parameters, the space has ${SOBOL_MAX_DIMENSIONS + 1}`,
    );
    expect(new Random(0)).toBeDefined();
  });
});
