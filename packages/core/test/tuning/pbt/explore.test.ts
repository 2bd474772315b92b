// PBT's explore step, worked by hand against its definition in Jaderberg et al. 2017 (§3.1,
// "perturb": multiply by 0.8 or 1.2; "resample": draw from the prior) and Ray Tune's
// ray/tune/schedulers/pbt.py `explore` (lists step to an adjacent value, resampling with
// resample_probability), plus our bounds: values stay in the search space.
import { describe, expect, it } from "vitest";
import { Random } from "../../../src/random.ts";
import { type ExploreSettings, explore } from "../../../src/tuning/pbt/explore.ts";
import { contains, type SearchSpace } from "../../../src/tuning/space.ts";
import type { Params } from "../../../src/tuning/types.ts";

const space: SearchSpace = {
  lr: { type: "float", low: 1e-4, high: 0.1, log: true },
  warmup_steps: { type: "int", low: 0, high: 10 },
  dropout: { type: "float", low: 0, high: 0.5, step: 0.05 },
  schedule: { type: "categorical", choices: ["constant", "cosine", "step"] },
  step_gamma: { type: "float", low: 0.1, high: 0.9, when: { schedule: ["step"] } },
  layers: { type: "int", low: 1, high: 4 },
};

const perturbOnly: ExploreSettings = {
  mutations: ["lr", "warmup_steps", "dropout", "schedule", "step_gamma"],
  resampleProbability: 0,
  perturbationFactors: [0.8, 1.2],
};

/** Every distinct value of one setting after exploring `params` with seeds 0..199, sorted. */
function outcomes(params: Params, name: string, settings = perturbOnly): unknown[] {
  const values = Array.from({ length: 200 }, (_, seed) => {
    const value = explore(params, space, settings, new Random(seed))[name];
    // 0.01 × 0.8 is 0.008000000000000002 in floating point.
    return typeof value === "number" ? Number(value.toPrecision(12)) : value;
  });
  return [...new Set(values)].sort((a, b) =>
    typeof a === "number" && typeof b === "number" ? a - b : String(a).localeCompare(String(b)),
  );
}

const base: Params = { lr: 0.01, warmup_steps: 5, dropout: 0.1, schedule: "cosine", layers: 2 };

describe("PBT explore", () => {
  it("multiplies a number by 0.8 or 1.2, both in turn", () => {
    expect(outcomes(base, "lr")).toEqual([0.008, 0.012]);
    expect(outcomes(base, "warmup_steps")).toEqual([4, 6]);
  });

  it("keeps numbers within their bounds and on their steps", () => {
    expect(outcomes({ ...base, lr: 0.1 }, "lr")).toEqual([0.08, 0.1]);
    expect(outcomes({ ...base, warmup_steps: 10 }, "warmup_steps")).toEqual([8, 10]);
    // 0.1 × 0.8 = 0.08 and 0.1 × 1.2 = 0.12 both round back to 0.1 on the 0.05 grid: a factor
    // that would leave a stepped value where it is moves it one step its way.
    expect(outcomes(base, "dropout")).toEqual([0.05, 0.15]);
    // 1 × 1.2 rounds to 1: an integer moves one step; 0 cannot go below its bound.
    expect(outcomes({ ...base, warmup_steps: 1 }, "warmup_steps")).toEqual([0, 2]);
    expect(outcomes({ ...base, warmup_steps: 0 }, "warmup_steps")).toEqual([0, 1]);
  });

  it("steps a choice to a neighbouring one, and stays at the ends", () => {
    expect(outcomes(base, "schedule")).toEqual(["constant", "step"]);
    expect(outcomes({ ...base, schedule: "constant" }, "schedule")).toEqual(["constant", "cosine"]);
  });

  it("keeps the settings it does not mutate, and draws a mutated one that became active", () => {
    for (let seed = 0; seed < 50; seed++) {
      const explored = explore(base, space, perturbOnly, new Random(seed));
      expect(explored.layers).toBe(2);
      // step_gamma is active exactly when the schedule stepped to "step", and then in its range.
      expect("step_gamma" in explored).toBe(explored.schedule === "step");
      if (explored.schedule === "step") {
        expect(contains(space.step_gamma as never, explored.step_gamma as number)).toBe(true);
      }
    }
  });

  it("resamples from the search space with resampleProbability, else perturbs", () => {
    const always = { ...perturbOnly, resampleProbability: 1 };
    const drawn = outcomes(base, "lr", always) as number[];
    expect(drawn.length).toBeGreaterThan(150);
    expect(drawn.every((lr) => lr >= 1e-4 && lr <= 0.1)).toBe(true);
    // With probability 0.25, about a quarter of 1,000 explorations leave the two perturbed values.
    const quarter = { ...perturbOnly, resampleProbability: 0.25 };
    const resampled = Array.from({ length: 1000 }, (_, seed) =>
      Number((explore(base, space, quarter, new Random(seed)).lr as number).toPrecision(12)),
    ).filter((lr) => lr !== 0.008 && lr !== 0.012).length;
    expect(resampled).toBeGreaterThan(200);
    expect(resampled).toBeLessThan(300);
  });

  it("uses the perturbation factors given", () => {
    const factors = { ...perturbOnly, perturbationFactors: [0.5, 2] };
    expect(outcomes(base, "lr", factors)).toEqual([0.005, 0.02]);
  });
});
