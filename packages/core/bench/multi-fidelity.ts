// Samplers under the hyperband pruner on simulated multi-fidelity problems: each new trial's
// parameters come from the sampler, and each report from a function of them and of the step plus
// noise that shrinks as the step grows. Two problems: BOHB's counting ones, and the crossing
// learning curves of ./pruners.ts. Trials start until `resource` full trainings' worth of steps is
// spent, on ./pruners.ts's simulated workers. A good configuration is one in the top 1% of the
// space by its noise-free final loss; we measure the steps each sampler spent until it had trained
// one to the end, and the best final loss it had trained to the end by each checkpoint.
// `npx tsx bench/multi-fidelity.ts` prints the table; bench/search.ts imports it.

import { pathToFileURL } from "node:url";
import { Random } from "../src/random.ts";
import { HyperbandPruner } from "../src/tuning/pruners/hyperband.ts";
import type { PrunerSettings } from "../src/tuning/pruners/pruner.ts";
import { median } from "../src/tuning/pruners/reports.ts";
import { BohbSampler } from "../src/tuning/samplers/bohb.ts";
import { RandomSampler, randomParams } from "../src/tuning/samplers/random.ts";
import { randomForTrial, type Sampler } from "../src/tuning/samplers/sampler.ts";
import { TpeSampler } from "../src/tuning/samplers/tpe.ts";
import type { SearchSpace } from "../src/tuning/space.ts";
import type { Params, TrialRecord } from "../src/tuning/types.ts";
import { curveOf, curveSpace, lossAt, simulate } from "./pruners.ts";

export interface MultiFidelityOptions {
  seeds?: number;
  /** Steps of a full trial. */
  maxSteps?: number;
  workers?: number;
  /** Steps spent before no new trial starts, in full trainings. */
  resource?: number;
  /** The problems and samplers to run, by name (all by default). */
  problems?: string[];
  samplers?: string[];
}

interface Problem {
  name: string;
  space: SearchSpace;
  /** What a trial reports at a step, noise drawn from `random`. */
  report(params: Params, step: number, random: Random): number;
  /** The noise-free loss of a configuration trained to the end, by which it is judged. */
  final(params: Params): number;
}

const countingOnesSize = 4;
const countingOnesSpace: SearchSpace = Object.fromEntries(
  Array.from({ length: countingOnesSize }, (_, i) => [
    [`bit${i}`, { type: "categorical", choices: [0, 1] }],
    [`p${i}`, { type: "float", low: 0, high: 1 }],
  ]).flat(),
);

function problems(maxSteps: number): Problem[] {
  return [
    {
      // BOHB's "counting ones" (Falkner et al. 2018): minus the mean of some bits and of some
      // probabilities, each of which a budget of n steps estimates from n coin flips, so the loss
      // is f(params) plus noise that shrinks as 1/√n.
      name: "counting ones",
      space: countingOnesSpace,
      report: (params, step, random) => {
        const d = 2 * countingOnesSize;
        const variance = Array.from({ length: countingOnesSize }, (_, i) => {
          const p = params[`p${i}`] as number;
          return p * (1 - p);
        }).reduce((sum, v) => sum + v, 0);
        return countingOnes(params) + random.normal(0, Math.sqrt(variance / step) / d);
      },
      final: countingOnes,
    },
    {
      // The pruner benchmark's curves, which cross: fast learners lead early and settle higher.
      name: "crossing curves",
      space: curveSpace,
      report: (params, step, random) =>
        lossAt(curveOf(params), step) + random.normal(0, 0.05 / Math.sqrt(step)),
      final: (params) => lossAt(curveOf(params), maxSteps),
    },
  ];
}

function countingOnes(params: Params): number {
  const values = Object.values(params) as number[];
  return -values.reduce((sum, value) => sum + value, 0) / values.length;
}

const samplers: { name: string; create: (hyperband: PrunerSettings<"hyperband">) => Sampler }[] = [
  { name: "random", create: () => new RandomSampler() },
  { name: "tpe", create: () => new TpeSampler() },
  { name: "bohb", create: (hyperband) => new BohbSampler({}, hyperband) },
  { name: "bohb-mv", create: (hyperband) => new BohbSampler({ multivariate: true }, hyperband) },
];

/** The noise-free final loss of the best 1% of the space, from many random configurations. */
function topPercentLoss(problem: Problem): number {
  const random = new Random(2018);
  const losses = Array.from({ length: 20_000 }, () =>
    problem.final(randomParams(problem.space, random)),
  ).sort((a, b) => a - b);
  return losses[Math.floor(losses.length / 100)] as number;
}

interface Runs {
  /** Per seed, full trainings spent until a good configuration was trained to the end. */
  toGood: number[];
  /** Per seed, the best final loss trained to the end by each checkpoint. */
  bests: number[][];
}

interface Setup {
  seeds: number;
  maxSteps: number;
  workers: number;
  resource: number;
  hyperband: PrunerSettings<"hyperband">;
  /** Resource, in full trainings, at which the best so far is taken. */
  checkpoints: number[];
}

function runSeeds(problem: Problem, create: () => Sampler, setup: Setup, good: number): Runs {
  const { seeds, maxSteps, workers, resource, hyperband, checkpoints } = setup;
  const runs: Runs = { toGood: [], bests: [] };
  for (let seed = 0; seed < seeds; seed++) {
    const sampler = create();
    const noise = new Random(seed);
    const { history, completedAt } = simulate({
      pruner: new HyperbandPruner(hyperband),
      maxSteps,
      workers,
      next: (study, stepsSoFar): Params | undefined =>
        stepsSoFar < resource * maxSteps
          ? sampler.ask(problem.space, study, randomForTrial(seed, study.trials.length))
          : undefined,
      report: (trial, step) => problem.report(trial.params, step, noise),
    });
    const finals = [...completedAt].map(([number, steps]) => ({
      resource: steps / maxSteps,
      loss: problem.final((history.trials[number] as TrialRecord).params),
    }));
    runs.toGood.push(
      Math.min(...finals.filter(({ loss }) => loss <= good).map((final) => final.resource)),
    );
    runs.bests.push(
      checkpoints.map((checkpoint) =>
        Math.min(...finals.filter((final) => final.resource <= checkpoint).map(({ loss }) => loss)),
      ),
    );
  }
  return runs;
}

export function runMultiFidelityBenchmark(options: MultiFidelityOptions = {}): {
  lines: string[];
  /** Median full trainings until a good configuration was trained to the end, by problem and sampler. */
  resourceToGood: Map<string, number>;
} {
  const { seeds = 21, maxSteps = 81, workers = 4, resource = 30 } = options;
  const hyperband = { minResource: 1, maxResource: maxSteps, reductionFactor: 3 };
  const checkpoints = [resource / 3, (2 * resource) / 3, resource];
  const setup = { seeds, maxSteps, workers, resource, hyperband, checkpoints };
  const format = (value: number, digits: number) =>
    Number.isFinite(value) ? value.toFixed(digits) : "inf";
  const row = (cells: string[]) =>
    cells.map((cell, i) => (i < 2 ? cell.padEnd(i === 0 ? 18 : 10) : cell.padStart(18))).join("");
  const lines = [
    `samplers with hyperband: ${maxSteps} steps a trial, ${workers} workers, ${resource} full trainings of resource, median over ${seeds} seeds`,
    "resource in full trainings; good: in the top 1% of the space by final loss",
    row([
      "problem",
      "sampler",
      "resource_to_good",
      "found_good",
      ...checkpoints.map((checkpoint) => `best@${format(checkpoint, 0)}`),
    ]),
  ];
  const resourceToGood = new Map<string, number>();
  for (const problem of problems(maxSteps)) {
    if (options.problems !== undefined && !options.problems.includes(problem.name)) continue;
    const good = topPercentLoss(problem);
    for (const { name, create } of samplers) {
      if (options.samplers !== undefined && !options.samplers.includes(name)) continue;
      const { toGood, bests } = runSeeds(problem, () => create(hyperband), setup, good);
      resourceToGood.set(`${problem.name}/${name}`, median(toGood));
      lines.push(
        row([
          problem.name,
          name,
          format(median(toGood), 2),
          `${toGood.filter(Number.isFinite).length}/${seeds}`,
          ...checkpoints.map((_, c) => format(median(bests.map((best) => best[c] as number)), 4)),
        ]),
      );
    }
  }
  return { lines, resourceToGood };
}

if (import.meta.url === pathToFileURL(process.argv[1] ?? "").href) {
  console.log(runMultiFidelityBenchmark().lines.join("\n"));
}
