// PBT's rounds, worked by hand: quantiles as Ray Tune's `_quantiles` (ray/tune/schedulers/pbt.py:
// ⌈n × quantile_fraction⌉ trials each, at most ⌊n / 2⌋, none below two trials), exploit as
// Jaderberg et al. 2017's "truncation selection" (a bottom member copies a uniformly chosen top
// one), rounds every perturbation interval, and a replayed schedule's steps.
import { describe, expect, it } from "vitest";
import { Random } from "../../../src/random.ts";
import {
  type Member,
  nextRoundStep,
  populationRound,
  quantiles,
  type RoundPlan,
  roundDecision,
  scheduledParams,
} from "../../../src/tuning/pbt/rounds.ts";
import type { PbtSettings } from "../../../src/tuning/pbt/settings.ts";
import type { SearchSpace } from "../../../src/tuning/space.ts";
import { trial } from "../pruners/history.ts";

const space: SearchSpace = {
  lr: { type: "float", low: 1e-4, high: 0.1, log: true },
  layers: { type: "int", low: 1, high: 4 },
};

const settings: PbtSettings = {
  population: 4,
  perturbationInterval: 50,
  quantileFraction: 0.25,
  resampleProbability: 0,
  perturbationFactors: [0.8, 1.2],
  mutations: ["lr"],
};

/** Members 0, 1, ... with these values, each with its own lr and layers. */
function members(values: number[]): Member[] {
  return values.map((value, number) => ({
    number,
    params: { lr: 0.001 * (number + 1), layers: number + 1 },
    value,
  }));
}

const numbers = (list: Member[]) => list.map((member) => member.number);

describe("PBT quantiles", () => {
  it("takes ⌈n × fraction⌉ members at each end, at most half, as Ray Tune does", () => {
    // n = 4, fraction 0.25: one each.
    const four = quantiles(members([3, 1, 2, 4]), 0.25, "minimize");
    expect(numbers(four.top)).toEqual([1]);
    expect(numbers(four.bottom)).toEqual([3]);
    // n = 5, fraction 0.25: ⌈1.25⌉ = 2 each.
    const five = quantiles(members([5, 4, 3, 2, 1]), 0.25, "minimize");
    expect(numbers(five.top)).toEqual([4, 3]);
    expect(numbers(five.bottom)).toEqual([1, 0]);
    // n = 3, fraction 0.5: ⌈1.5⌉ = 2 is more than half, so ⌊1.5⌋ = 1.
    const three = quantiles(members([1, 2, 3]), 0.5, "minimize");
    expect([numbers(three.top), numbers(three.bottom)]).toEqual([[0], [2]]);
    // One member: nobody to copy.
    expect(quantiles(members([1]), 0.5, "minimize")).toEqual({ top: [], bottom: [] });
  });

  it("ranks by direction, with NaN last", () => {
    const max = quantiles(members([0.2, 0.9, 0.5, 0.1]), 0.25, "maximize");
    expect([numbers(max.top), numbers(max.bottom)]).toEqual([[1], [3]]);
    const nan = quantiles(members([1, Number.NaN, 2, 3]), 0.25, "minimize");
    expect(numbers(nan.bottom)).toEqual([1]);
  });
});

describe("a PBT round", () => {
  it("has the bottom member copy the top one and explore its parameters; the rest keep theirs", () => {
    // Values 3, 1, 2, 4 (minimised): member 1 is the top quantile, member 3 the bottom.
    const population = members([3, 1, 2, 4]);
    const updates = populationRound(population, space, settings, "minimize", new Random(7));
    expect(updates.map((update) => [update.number, update.copiedFrom])).toEqual([
      [0, undefined],
      [1, undefined],
      [2, undefined],
      [3, 1],
    ]);
    const [first, second, third, copied] = updates;
    expect([first?.params, second?.params, third?.params]).toEqual([
      population[0]?.params,
      population[1]?.params,
      population[2]?.params,
    ]);
    // Member 1's lr 0.002 perturbed by 0.8 or 1.2; its layers (not mutated) copied with its weights.
    expect([0.0016, 0.0024]).toContain(Number(Number(copied?.params.lr).toPrecision(12)));
    expect(copied?.params.layers).toBe(2);
  });

  it("picks each bottom member's source uniformly among the top quantile", () => {
    // Values 1..8, fraction 0.25: top = members 0 and 1, bottom = 6 and 7.
    const population = members([1, 2, 3, 4, 5, 6, 7, 8]);
    const sources = new Map<number, Set<number | undefined>>([
      [6, new Set()],
      [7, new Set()],
    ]);
    for (let seed = 0; seed < 100; seed++) {
      const updates = populationRound(
        population,
        space,
        { ...settings, population: 8 },
        "minimize",
        new Random(seed),
      );
      expect(
        updates.filter((update) => update.copiedFrom !== undefined).map((u) => u.number),
      ).toEqual([6, 7]);
      for (const update of updates) sources.get(update.number)?.add(update.copiedFrom);
    }
    expect([...(sources.get(6) ?? [])].sort()).toEqual([0, 1]);
    expect([...(sources.get(7) ?? [])].sort()).toEqual([0, 1]);
  });
});

describe("round steps", () => {
  const pbt: RoundPlan = { kind: "pbt", ...settings };
  const replay: RoundPlan = {
    kind: "pbt-replay",
    schedule: [
      { step: 0, params: { lr: 0.01, layers: 2 } },
      { step: 30, params: { lr: 0.005 } },
      { step: 90, params: { lr: 0.001 } },
    ],
  };

  it("falls every perturbation interval before the last step, or at the schedule's steps", () => {
    expect([0, 50, 100, 150].map((last) => nextRoundStep(pbt, last, 200))).toEqual([
      50,
      100,
      150,
      undefined,
    ]);
    expect([0, 30, 90].map((last) => nextRoundStep(replay, last, 100))).toEqual([
      30,
      90,
      undefined,
    ]);
    expect(nextRoundStep(replay, 30, 90)).toBeUndefined();
  });

  it("pauses a trial that has reported at or past its next round, and only then", () => {
    const at = (step: number) => trial(0, "running", [[step, 1.0]]);
    expect(roundDecision(at(40), 50)).toEqual({ action: "continue" });
    expect(roundDecision(at(50), 50)).toEqual({
      action: "pause",
      reason: "waiting at step 50 for the round at step 50",
    });
    // Resumed past the round after its runner was lost: it stops at its next evaluation.
    expect(roundDecision(at(60), 50).action).toBe("pause");
    expect(roundDecision(at(190), undefined).action).toBe("continue");
    expect(roundDecision(trial(0, "running", []), 50).action).toBe("continue");
  });

  it("replays the parameters in force at a step, later entries changing earlier ones", () => {
    const plan = replay as Extract<RoundPlan, { kind: "pbt-replay" }>;
    expect(scheduledParams(plan, 0)).toEqual({ lr: 0.01, layers: 2 });
    expect(scheduledParams(plan, 30)).toEqual({ lr: 0.005, layers: 2 });
    expect(scheduledParams(plan, 95)).toEqual({ lr: 0.001, layers: 2 });
  });
});
