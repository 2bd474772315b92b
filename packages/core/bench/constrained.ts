// TPE under a measured constraint, as Optuna's constraints_func: each trial's constraint value is
// computed from its parameters, as a study computes it from what the trial measured, and stored
// with its result. We count, after the start-up trials, the share of proposals that are feasible,
// and the best feasible value found. "blind" is TPE shown no constraint values, and random search
// is the baseline: they say how much steering the constraint values bring.
// `npx tsx bench/constrained.ts` prints the table; bench/search.ts imports runConstrainedBenchmark.

import { pathToFileURL } from "node:url";
import { median } from "../src/tuning/pruners/reports.ts";
import { RandomSampler } from "../src/tuning/samplers/random.ts";
import { randomForTrial, type Sampler } from "../src/tuning/samplers/sampler.ts";
import { TpeSampler } from "../src/tuning/samplers/tpe.ts";
import type { SearchSpace } from "../src/tuning/space.ts";
import type { Params, StudyHistory } from "../src/tuning/types.ts";

const TRIALS = 100;
/** TPE's default startupTrials: proposals from then on are the model's. */
const STARTUP_TRIALS = 10;

interface ConstrainedProblem {
  name: string;
  space: SearchSpace;
  objective: (params: Params) => number;
  /** Optuna's constraint value: feasible when <= 0. */
  constraint: (params: Params) => number;
}

const get = (params: Params, name: string) => params[name] as number;
const squaredDistance = (params: Params, x: number, y: number) =>
  (get(params, "x") - x) ** 2 + (get(params, "y") - y) ** 2;

const problems: ConstrainedProblem[] = [
  {
    // The deeper basin (-1 at 0.85, 0.85) lies where size = x + y is above 1.2; the feasible one
    // (-0.8 at 0.25, 0.3) is the constrained optimum, well inside the feasible region.
    name: "two basins, size <= 1.2",
    space: {
      x: { type: "float", low: 0, high: 1 },
      y: { type: "float", low: 0, high: 1 },
    },
    objective: (params) =>
      Math.min(
        3 * squaredDistance(params, 0.85, 0.85) - 1,
        2 * squaredDistance(params, 0.25, 0.3) - 0.8,
      ),
    constraint: (params) => get(params, "x") + get(params, "y") - 1.2,
  },
  {
    // Bigger models are better, and the best allowed ones are on the constraint's boundary.
    name: "model size, params <= 20e6",
    space: {
      width: { type: "int", low: 16, high: 1024, log: true },
      depth: { type: "int", low: 1, high: 12 },
      lr: { type: "float", low: 1e-5, high: 1e-1, log: true },
    },
    objective: (params) =>
      3 / Math.log10(12 * get(params, "depth") * get(params, "width") ** 2) +
      0.05 * (Math.log10(get(params, "lr")) + 3) ** 2,
    constraint: (params) => 12 * get(params, "depth") * get(params, "width") ** 2 - 20e6,
  },
];

const samplers: { name: string; create: () => Sampler; seesConstraints: boolean }[] = [
  { name: "tpe", create: () => new TpeSampler(), seesConstraints: true },
  { name: "tpe blind", create: () => new TpeSampler(), seesConstraints: false },
  { name: "random", create: () => new RandomSampler(), seesConstraints: true },
];

/** Feasible proposals after the start-up trials, of how many, and the best feasible value. */
function run(problem: ConstrainedProblem, sampler: (typeof samplers)[number], seed: number) {
  const history: StudyHistory = { directions: ["minimize"], trials: [] };
  const asked = sampler.create();
  let feasible = 0;
  let best = Number.POSITIVE_INFINITY;
  for (let number = 0; number < TRIALS; number++) {
    const params = asked.ask(problem.space, history, randomForTrial(seed, number));
    const value = problem.objective(params);
    const constraint = problem.constraint(params);
    if (constraint <= 0) {
      best = Math.min(best, value);
      if (number >= STARTUP_TRIALS) feasible++;
    }
    history.trials.push({
      number,
      params,
      state: "completed",
      values: [value],
      intermediate: [],
      ...(sampler.seesConstraints ? { constraints: [constraint] } : {}),
    });
  }
  return { feasible, proposed: TRIALS - STARTUP_TRIALS, best };
}

export function runConstrainedBenchmark(seeds = 30) {
  const [problemWidth, samplerWidth, numberWidth] = [30, 12, 16];
  const row = ([problem, sampler, ...numbers]: string[]) =>
    `${problem?.padEnd(problemWidth)}${sampler?.padEnd(samplerWidth)}${numbers.map((cell) => cell.padStart(numberWidth)).join("")}`;
  const lines = [
    `constrained: ${TRIALS} trials, feasible share after ${STARTUP_TRIALS} start-up trials and median best feasible value, over ${seeds} seeds`,
    row(["problem", "sampler", "feasible_rate", "best_feasible"]),
  ];
  const rates = new Map<string, number>();
  for (const problem of problems) {
    for (const sampler of samplers) {
      const runs = Array.from({ length: seeds }, (_, seed) => run(problem, sampler, seed));
      const feasible = runs.reduce((sum, result) => sum + result.feasible, 0);
      const proposed = runs.reduce((sum, result) => sum + result.proposed, 0);
      const rate = feasible / proposed;
      rates.set(`${problem.name}/${sampler.name}`, rate);
      const best = median(runs.map((result) => result.best));
      lines.push(row([problem.name, sampler.name, rate.toFixed(3), best.toFixed(4)]));
    }
  }
  const headline = `${problems[0]?.name}/tpe`;
  return { lines, feasibleRate: rates.get(headline) as number };
}

if (import.meta.url === pathToFileURL(process.argv[1] ?? "").href) {
  const { lines, feasibleRate } = runConstrainedBenchmark();
  console.log([...lines, `constrained_feasible_rate=${feasibleRate.toFixed(3)}`].join("\n"));
}
