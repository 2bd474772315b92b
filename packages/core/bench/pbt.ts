// PBT on simulated training whose best learning rate falls as training goes on, against the best
// fixed rate that random search finds with the same compute.
//
// The training is SGD on the noisy quadratic model (Zhang et al. 2019, "Which algorithmic choices
// matter at which batch sizes?"): dimensions with curvatures h_i = 1/i and gradient noise of
// variance c·h_i, whose expected loss Σ h_i m_i / 2 follows m_i ← (1 - η h_i)² m_i + η² h_i c. A
// large rate makes fast progress but settles at a high noise floor, a small one settles low but
// slowly, so the best rate falls over training and no fixed one is best throughout: a schedule
// can beat every fixed rate. PBT runs the study control's own rounds (populationRound, explore)
// on a population of such trainings; random search trains as many trials, each as long, with
// fixed random rates. `npx tsx bench/pbt.ts` prints the table; bench/search.ts imports it.
import { pathToFileURL } from "node:url";
import { Random } from "../src/random.ts";
import { type Member, populationRound } from "../src/tuning/pbt/rounds.ts";
import type { PbtSettings } from "../src/tuning/pbt/settings.ts";
import { median } from "../src/tuning/pruners/reports.ts";
import { randomParams } from "../src/tuning/samplers/random.ts";
import type { SearchSpace } from "../src/tuning/space.ts";

const CURVATURES = Array.from({ length: 10 }, (_, i) => 1 / (i + 1));
const GRADIENT_NOISE = 0.01;
const space: SearchSpace = { lr: { type: "float", low: 1e-3, high: 1.5, log: true } };

export interface PbtBenchmarkOptions {
  seeds?: number;
  population?: number;
  steps?: number;
  perturbationInterval?: number;
}

/** A training's state: the expected squared distance from the optimum along each dimension. */
type Training = number[];

function start(): Training {
  return CURVATURES.map(() => 1);
}

function train(state: Training, lr: number, steps: number): Training {
  const next = [...state];
  for (let step = 0; step < steps; step++) {
    CURVATURES.forEach((h, i) => {
      next[i] = (1 - lr * h) ** 2 * (next[i] as number) + lr ** 2 * h * GRADIENT_NOISE;
    });
  }
  return next;
}

function loss(state: Training): number {
  return state.reduce((sum, m, i) => sum + ((CURVATURES[i] as number) * m) / 2, 0);
}

/** The final loss of the best of `trials` fixed random rates, each trained `steps` steps. */
function bestFixed(trials: number, steps: number, random: Random): number {
  let best = Number.POSITIVE_INFINITY;
  for (let trial = 0; trial < trials; trial++) {
    const lr = randomParams(space, random).lr as number;
    best = Math.min(best, loss(train(start(), lr, steps)));
  }
  return best;
}

/** The final loss of PBT's best member: rounds every interval, exploit copying the state. */
function pbt(settings: PbtSettings, steps: number, random: Random): number {
  let members = Array.from({ length: settings.population }, (_, number) => ({
    number,
    params: randomParams(space, random),
    state: start(),
  }));
  for (let step = 0; step < steps; step += settings.perturbationInterval) {
    const length = Math.min(settings.perturbationInterval, steps - step);
    members = members.map((m) => ({ ...m, state: train(m.state, m.params.lr as number, length) }));
    if (step + length >= steps) break;
    const ranked: Member[] = members.map((m) => ({ ...m, value: loss(m.state) }));
    const updates = populationRound(ranked, space, settings, "minimize", random);
    members = updates.map((update) => {
      const own = members[update.number] as (typeof members)[number];
      const source = update.copiedFrom === undefined ? own : members[update.copiedFrom];
      return { number: update.number, params: update.params, state: [...(source?.state ?? [])] };
    });
  }
  return Math.min(...members.map((m) => loss(m.state)));
}

/** The best fixed rate there is, by a fine sweep: what no schedule-free search can beat. */
function oracleFixed(steps: number): number {
  let best = Number.POSITIVE_INFINITY;
  for (let k = 0; k <= 400; k++) {
    const lr = 1e-3 * (1.5 / 1e-3) ** (k / 400);
    best = Math.min(best, loss(train(start(), lr, steps)));
  }
  return best;
}

export function runPbtBenchmark(options: PbtBenchmarkOptions = {}) {
  const { seeds = 30, population = 8, steps = 400, perturbationInterval = 20 } = options;
  const settings: PbtSettings = {
    population,
    perturbationInterval,
    quantileFraction: 0.25,
    resampleProbability: 0.25,
    perturbationFactors: [0.8, 1.2],
    mutations: ["lr"],
  };
  const pbtLosses: number[] = [];
  const fixedLosses: number[] = [];
  const ratios: number[] = [];
  for (let seed = 0; seed < seeds; seed++) {
    const fixed = bestFixed(population, steps, new Random(seed));
    const scheduled = pbt(settings, steps, new Random(1000 + seed));
    fixedLosses.push(fixed);
    pbtLosses.push(scheduled);
    ratios.push(scheduled / fixed);
  }
  const ratio = median(ratios);
  const oracle = oracleFixed(steps);
  const lines = [
    `PBT on the noisy quadratic model: ${population} members × ${steps} steps, rounds every ${perturbationInterval}; random search: ${population} fixed rates × ${steps} steps; ${seeds} seeds`,
    `  median final loss  PBT ${median(pbtLosses).toExponential(3)}  best fixed (random search) ${median(fixedLosses).toExponential(3)}  best fixed rate of all ${oracle.toExponential(3)}`,
    `  PBT / best fixed: median ${ratio.toFixed(3)}, worst ${Math.max(...ratios).toFixed(3)}; PBT beats the best fixed rate of all in ${pbtLosses.filter((l) => l < oracle).length}/${seeds} seeds`,
  ];
  return { lines, ratio };
}

if (import.meta.url === pathToFileURL(process.argv[1] ?? "").href) {
  console.log(runPbtBenchmark().lines.join("\n"));
}
