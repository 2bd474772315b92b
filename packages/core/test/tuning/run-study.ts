// A study loop for sampler tests: ask, evaluate, record as completed.
import { randomForTrial, type Sampler } from "../../src/tuning/samplers/sampler.ts";
import type { SearchSpace } from "../../src/tuning/space.ts";
import type { Direction, Params, StudyHistory } from "../../src/tuning/types.ts";

export function runStudy(
  sampler: Sampler,
  space: SearchSpace,
  objective: (params: Params) => number[],
  trials: number,
  seed: number,
  directions: Direction[] = ["minimize"],
): StudyHistory {
  const history: StudyHistory = { directions, trials: [] };
  for (let number = 0; number < trials; number++) {
    const params = sampler.ask(space, history, randomForTrial(seed, number));
    history.trials.push({
      number,
      params,
      state: "completed",
      values: objective(params),
      intermediate: [],
    });
  }
  return history;
}

/** The best value of the first objective, minimised. */
export function bestValue(history: StudyHistory): number {
  return Math.min(...history.trials.map((trial) => trial.values?.[0] ?? Number.POSITIVE_INFINITY));
}

export function median(values: number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.floor(sorted.length / 2)] as number;
}
