// npm run bench:search — each sampler on standard test functions over 30 seeds: the median of the
// best value found after 25, 50 and 100 trials (all functions are minimised; the GP sampler, made
// for small budgets and slower per ask, runs 50), TPE's ask latency in a study of 1,000 trials and
// the GP's in one of 50, then the pruner benchmark of ./pruners.ts, the samplers under hyperband
// of ./multi-fidelity.ts, TPE under a measured constraint (./constrained.ts) and the PBT benchmark
// of ./pbt.ts.

import { performance } from "node:perf_hooks";
import { Random } from "../src/random.ts";
import { CmaEsSampler } from "../src/tuning/samplers/cmaes.ts";
import { GpSampler } from "../src/tuning/samplers/gp.ts";
import { GridSampler } from "../src/tuning/samplers/grid.ts";
import { RandomSampler } from "../src/tuning/samplers/random.ts";
import { randomForTrial, type Sampler } from "../src/tuning/samplers/sampler.ts";
import { SobolSampler } from "../src/tuning/samplers/sobol.ts";
import { TpeSampler } from "../src/tuning/samplers/tpe.ts";
import type { SearchSpace } from "../src/tuning/space.ts";
import type { Params, StudyHistory } from "../src/tuning/types.ts";
import { runConstrainedBenchmark } from "./constrained.ts";
import { runMultiFidelityBenchmark } from "./multi-fidelity.ts";
import { runPbtBenchmark } from "./pbt.ts";
import { runPrunerBenchmark } from "./pruners.ts";

const SEEDS = 30;
const CHECKPOINTS = [25, 50, 100];
const TRIALS = 100;

interface Problem {
  name: string;
  space: SearchSpace;
  objective: (params: Params) => number;
  /** Grid points per continuous parameter, where a grid of about 100 points makes sense. */
  gridPoints?: number;
}

const unitCube = (names: string[]): SearchSpace =>
  Object.fromEntries(names.map((name) => [name, { type: "float", low: 0, high: 1 }]));
const coordinates = (count: number) => Array.from({ length: count }, (_, i) => `x${i}`);
const get = (params: Params, name: string) => params[name] as number;

function branin(params: Params): number {
  const x1 = get(params, "x1");
  const x2 = get(params, "x2");
  const b = 5.1 / (4 * Math.PI ** 2);
  const c = 5 / Math.PI;
  const t = 1 / (8 * Math.PI);
  return (x2 - b * x1 ** 2 + c * x1 - 6) ** 2 + 10 * (1 - t) * Math.cos(x1) + 10;
}

const HARTMANN_ALPHA = [1, 1.2, 3, 3.2];

/** Hartmann's family: -Σ α_i exp(-Σ_j A_ij (x_j - P_ij)²). */
function hartmann(x: number[], a: number[][], p: number[][]): number {
  let sum = 0;
  HARTMANN_ALPHA.forEach((alpha, i) => {
    const exponent = x.reduce(
      (acc, xj, j) => acc + (a[i]?.[j] as number) * (xj - (p[i]?.[j] as number) * 1e-4) ** 2,
      0,
    );
    sum += alpha * Math.exp(-exponent);
  });
  return -sum;
}

const HARTMANN6_A = [
  [10, 3, 17, 3.5, 1.7, 8],
  [0.05, 10, 17, 0.1, 8, 14],
  [3, 3.5, 1.7, 10, 17, 8],
  [17, 8, 0.05, 10, 0.1, 14],
];
const HARTMANN6_P = [
  [1312, 1696, 5569, 124, 8283, 5886],
  [2329, 4135, 8307, 3736, 1004, 9991],
  [2348, 1451, 3522, 2883, 3047, 6650],
  [4047, 8828, 8732, 5743, 1091, 381],
];
const HARTMANN3_A = [
  [3, 10, 30],
  [0.1, 10, 35],
  [3, 10, 30],
  [0.1, 10, 35],
];
const HARTMANN3_P = [
  [3689, 1170, 2673],
  [4699, 4387, 7470],
  [1091, 8732, 5547],
  [381, 5743, 8828],
];

/** A small model-selection problem: the mlp branch is better, if its own parameters are tuned. */
function conditional(params: Params): number {
  const lr = Math.log10(get(params, "lr"));
  if (params.model === "linear") {
    return 0.6 + 0.05 * (lr + 2) ** 2 + 0.03 * (Math.log10(get(params, "l2")) + 4) ** 2;
  }
  const activation = { relu: 0.02, gelu: 0, tanh: 0.05 }[params.activation as string] ?? 1;
  return (
    0.3 +
    0.05 * (lr + 3.5) ** 2 +
    0.02 * (get(params, "layers") - 4) ** 2 +
    0.02 * (Math.log2(get(params, "width")) - 8) ** 2 +
    0.5 * (get(params, "dropout") - 0.15) ** 2 +
    activation
  );
}

const problems: Problem[] = [
  {
    name: "branin (2-D)",
    space: {
      x1: { type: "float", low: -5, high: 10 },
      x2: { type: "float", low: 0, high: 15 },
    },
    objective: branin,
    gridPoints: 10,
  },
  {
    name: "hartmann6",
    space: unitCube(coordinates(6)),
    objective: (params) =>
      hartmann(
        coordinates(6).map((name) => get(params, name)),
        HARTMANN6_A,
        HARTMANN6_P,
      ),
  },
  {
    // Hartmann-3 on three of twenty coordinates; the other seventeen do nothing.
    name: "hartmann3 in 20-D",
    space: unitCube(coordinates(20)),
    objective: (params) =>
      hartmann(
        ["x2", "x9", "x17"].map((name) => get(params, name)),
        HARTMANN3_A,
        HARTMANN3_P,
      ),
  },
  {
    name: "conditional (7 params)",
    space: {
      model: { type: "categorical", choices: ["linear", "mlp"] },
      lr: { type: "float", low: 1e-5, high: 1, log: true },
      l2: { type: "float", low: 1e-6, high: 0.1, log: true, when: { model: ["linear"] } },
      layers: { type: "int", low: 1, high: 8, when: { model: ["mlp"] } },
      width: { type: "int", low: 16, high: 1024, log: true, when: { model: ["mlp"] } },
      dropout: { type: "float", low: 0, high: 0.5, step: 0.05, when: { model: ["mlp"] } },
      activation: {
        type: "categorical",
        choices: ["relu", "gelu", "tanh"],
        when: { model: ["mlp"] },
      },
    },
    objective: conditional,
  },
];

interface SamplerEntry {
  name: string;
  create: (seed: number) => Sampler;
  applies: (problem: Problem) => boolean;
  /** Trials per study when fewer than TRIALS; later checkpoints show a dash. */
  trials?: number;
}

const samplers: SamplerEntry[] = [
  { name: "random", create: () => new RandomSampler(), applies: () => true },
  { name: "sobol", create: (seed) => new SobolSampler({}, seed), applies: () => true },
  { name: "tpe", create: () => new TpeSampler(), applies: () => true },
  { name: "tpe-mv", create: () => new TpeSampler({ multivariate: true }), applies: () => true },
  { name: "gp", create: () => new GpSampler(), applies: () => true, trials: 50 },
  { name: "cmaes", create: (seed) => new CmaEsSampler({}, seed), applies: () => true },
  {
    name: "grid",
    create: () => new GridSampler({ gridPoints: 10 }),
    applies: (problem) => problem.gridPoints !== undefined,
  },
];

/** Best value so far after each checkpoint's number of trials, for one seed. */
function run(problem: Problem, sampler: Sampler, seed: number, trials: number): number[] {
  const history: StudyHistory = { directions: ["minimize"], trials: [] };
  let best = Number.POSITIVE_INFINITY;
  const bests: number[] = [];
  for (let number = 0; number < trials; number++) {
    const params = sampler.ask(problem.space, history, randomForTrial(seed, number));
    const value = problem.objective(params);
    best = Math.min(best, value);
    history.trials.push({ number, params, state: "completed", values: [value], intermediate: [] });
    if (CHECKPOINTS.includes(number + 1)) bests.push(best);
  }
  return bests;
}

function median(values: number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  const middle = Math.floor(sorted.length / 2);
  return sorted.length % 2 === 1
    ? (sorted[middle] as number)
    : ((sorted[middle - 1] as number) + (sorted[middle] as number)) / 2;
}

/** Median over repeats of a sampler's ask with `count` trials in the study, the last four running. */
function askLatency(sampler: Sampler, count: number, repeats: number): number {
  const problem = problems[1] as Problem;
  const random = new Random(7);
  const history: StudyHistory = { directions: ["minimize"], trials: [] };
  const randomSampler = new RandomSampler();
  for (let number = 0; number < count; number++) {
    const params = randomSampler.ask(problem.space, history, random);
    const running = number >= count - 4;
    history.trials.push({
      number,
      params,
      state: running ? "running" : "completed",
      ...(running ? {} : { values: [problem.objective(params)] }),
      intermediate: [],
    });
  }
  const times = Array.from({ length: repeats }, (_, i) => {
    const start = performance.now();
    sampler.ask(problem.space, history, randomForTrial(99, i));
    return performance.now() - start;
  });
  return median(times);
}

const started = performance.now();
const header = `${"function".padEnd(24)}${"sampler".padEnd(8)}${CHECKPOINTS.map((n) => `@${n}`.padStart(12)).join("")}`;
console.log(`median best-so-far over ${SEEDS} seeds (lower is better)`);
console.log(header);
console.log("-".repeat(header.length));
let tpeWins = 0;
let gpWins = 0;
for (const problem of problems) {
  const medians = new Map<string, number[]>();
  for (const entry of samplers.filter((s) => s.applies(problem))) {
    const trials = entry.trials ?? TRIALS;
    const runs = Array.from({ length: SEEDS }, (_, seed) =>
      run(problem, entry.create(seed), seed, trials),
    );
    const row = CHECKPOINTS.filter((n) => n <= trials).map((_, c) =>
      median(runs.map((bests) => bests[c] as number)),
    );
    medians.set(entry.name, row);
    const cells = CHECKPOINTS.map((_, c) => (row[c]?.toFixed(4) ?? "—").padStart(12)).join("");
    console.log(`${problem.name.padEnd(24)}${entry.name.padEnd(8)}${cells}`);
  }
  const at50 = CHECKPOINTS.indexOf(50);
  if ((medians.get("tpe")?.[at50] ?? 0) < (medians.get("random")?.[at50] ?? 0)) tpeWins++;
  const at25 = CHECKPOINTS.indexOf(25);
  if ((medians.get("gp")?.[at25] ?? 0) < (medians.get("tpe")?.[at25] ?? 0)) gpWins++;
}
const askMs = askLatency(new TpeSampler(), 1000, 21);
const gpAskMs = askLatency(new GpSampler(), 50, 5);
console.log(`gp ask with 50 trials: ${gpAskMs.toFixed(1)} ms`);
console.log(`samplers took ${((performance.now() - started) / 1000).toFixed(1)} s`);
const pruners = runPrunerBenchmark();
console.log(pruners.lines.join("\n"));
const multiFidelity = runMultiFidelityBenchmark();
console.log(multiFidelity.lines.join("\n"));
const pbt = runPbtBenchmark();
console.log(pbt.lines.join("\n"));
const toGood = (sampler: string) =>
  multiFidelity.resourceToGood.get(`counting ones/${sampler}`)?.toFixed(2);
const constrained = runConstrainedBenchmark();
console.log(constrained.lines.join("\n"));
console.log(
  `bench:search tpe_beats_random=${tpeWins}/${problems.length} asha_resource_fraction=${pruners.ashaResourceFraction.toFixed(3)} ask_ms_at_1000=${askMs.toFixed(1)} counting_ones_resource_to_good_bohb=${toGood("bohb")} counting_ones_resource_to_good_random=${toGood("random")} constrained_feasible_rate=${constrained.feasibleRate.toFixed(3)} pbt_vs_best_fixed=${pbt.ratio.toFixed(3)} gp_beats_tpe_at_25=${gpWins}/${problems.length}`,
);
