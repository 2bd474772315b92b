// The pruners on simulated learning curves. Each seed draws configurations whose curves
// loss(step) = a + b·step^(-c) + noise come from a hidden function of their hyperparameters, with
// curves that cross (fast learners level off higher), so early values only partly predict final
// ones. Full-budget random search trains every configuration to the end and finds the best; each
// pruner then runs the same configurations in the same order on simulated asynchronous workers,
// and we measure the steps it spent until it had trained that best configuration to the end.
// `npx tsx bench/pruners.ts` prints the table; bench/search.ts imports runPrunerBenchmark, and
// ./multi-fidelity.ts the simulation and the hidden function.

import { pathToFileURL } from "node:url";
import { Random } from "../src/random.ts";
import type { PrunerSpec } from "../src/tuning/pruner-spec.ts";
import { createPruner, type Pruner } from "../src/tuning/pruners/index.ts";
import { median } from "../src/tuning/pruners/reports.ts";
import { randomParams } from "../src/tuning/samplers/random.ts";
import type { SearchSpace } from "../src/tuning/space.ts";
import type { Params, StudyHistory, TrialRecord } from "../src/tuning/types.ts";

export interface PrunerBenchmarkOptions {
  seeds?: number;
  configs?: number;
  /** Steps of a full trial. */
  maxSteps?: number;
  workers?: number;
}

/** A learning curve: loss(step) = a + b·step^(-c). */
export interface Curve {
  a: number;
  b: number;
  c: number;
}

/** The hidden function's hyperparameters: log10 of the LR, log2 of the width, and dropout. */
export const curveSpace: SearchSpace = {
  logLr: { type: "float", low: -4, high: -1 },
  logWidth: { type: "float", low: 5, high: 9 },
  dropout: { type: "float", low: 0, high: 0.5 },
};

/** The hidden function: the LR sets the speed and, with the width, the level the loss settles at. */
export function curveOf(params: Params): Curve {
  const logLr = params.logLr as number;
  const logWidth = params.logWidth as number;
  const dropout = params.dropout as number;
  return {
    a: 0.2 + 0.3 * (logLr + 2.5) ** 2 + 0.05 * (logWidth - 8) ** 2 + 0.2 * (dropout - 0.1) ** 2,
    b: 1 + 0.2 * (9 - logWidth) + dropout,
    c: 0.3 + 0.25 * (logLr + 4),
  };
}

export function lossAt({ a, b, c }: Curve, step: number): number {
  return a + b * step ** -c;
}

/** Standard deviation of each reported loss around its curve. */
const reportNoise = 0.01;

export interface SimulatedStudy {
  pruner: Pruner;
  /** Steps of a full trial. */
  maxSteps: number;
  workers: number;
  /** The parameters of a new trial, or undefined when no more trials should start. */
  next(history: StudyHistory, stepsSoFar: number): Params | undefined;
  /** The value a trial reports at a step. */
  report(trial: TrialRecord, step: number): number;
}

export interface SimulationResult {
  history: StudyHistory;
  /** Steps spent when each trial that was trained to the end completed, by trial number. */
  completedAt: Map<number, number>;
  /** Steps spent until there was no work left. */
  totalSteps: number;
}

/**
 * Runs trials on simulated asynchronous workers, one step per worker per tick, asking the pruner
 * after each report; a completed trial's value is its last report.
 */
export function simulate(study: SimulatedStudy): SimulationResult {
  const { pruner, maxSteps, workers } = study;
  const history: StudyHistory = { directions: ["minimize"], trials: [] };
  const running: (TrialRecord | undefined)[] = Array.from({ length: workers });
  const completedAt = new Map<number, number>();
  let totalSteps = 0;
  for (;;) {
    for (let worker = 0; worker < workers; worker++) {
      if (running[worker] !== undefined) continue;
      // A promotion resumes a paused trial from its checkpoint before a new trial starts, as ASHA does.
      const promoted = pruner.promotions(history)[0];
      const resumed = history.trials.find((trial) => trial.number === promoted);
      if (resumed !== undefined) {
        resumed.state = "running";
        running[worker] = resumed;
        continue;
      }
      const params = study.next(history, totalSteps);
      if (params === undefined) continue;
      const started: TrialRecord = {
        number: history.trials.length,
        params,
        state: "running",
        intermediate: [],
      };
      history.trials.push(started);
      running[worker] = started;
    }
    if (running.every((trial) => trial === undefined)) return { history, completedAt, totalSteps };
    for (const [worker, trial] of running.entries()) {
      if (trial === undefined) continue;
      const step = trial.intermediate.length + 1;
      const value = study.report(trial, step);
      trial.intermediate.push({ step, value });
      totalSteps++;
      if (step === maxSteps) {
        trial.state = "completed";
        trial.values = [value];
        completedAt.set(trial.number, totalSteps);
      } else {
        const decision = pruner.decide(trial, history);
        if (decision.action === "continue") continue;
        trial.state = decision.action === "prune" ? "pruned" : "paused";
      }
      running[worker] = undefined;
    }
  }
}

interface RunResult {
  /** Steps spent until the target trial completed, or Infinity if it never did. */
  stepsToTarget: number;
  /** Steps spent until there was no work left. */
  totalSteps: number;
  /** Numbers of the trials trained to the end. */
  completed: number[];
}

/** The pruner benchmark's run: the given configurations, in order, each with its own curve. */
function runConfigurations(
  curves: readonly Curve[],
  pruner: Pruner,
  target: number,
  maxSteps: number,
  workers: number,
  random: Random,
): RunResult {
  const { completedAt, totalSteps } = simulate({
    pruner,
    maxSteps,
    workers,
    next: (history) => (history.trials.length < curves.length ? {} : undefined),
    report: (trial, step) =>
      lossAt(curves[trial.number] as Curve, step) + random.normal(0, reportNoise),
  });
  return {
    stepsToTarget: completedAt.get(target) ?? Number.POSITIVE_INFINITY,
    totalSteps,
    completed: [...completedAt.keys()],
  };
}

export function runPrunerBenchmark(options: PrunerBenchmarkOptions = {}): {
  lines: string[];
  ashaResourceFraction: number;
} {
  const { seeds = 21, configs = 81, maxSteps = 81, workers = 4 } = options;
  const ladder = { minResource: 1, maxResource: maxSteps, reductionFactor: 3 };
  const specs: [name: string, spec: PrunerSpec][] = [
    ["asha (pause)", { kind: "asha", ...ladder, mode: "pause" }],
    ["asha (prune)", { kind: "asha", ...ladder, mode: "prune" }],
    ["hyperband", { kind: "hyperband", ...ladder }],
    ["median", { kind: "median", startupTrials: 5, warmupSteps: 5, intervalSteps: 1 }],
  ];
  // Regret: how much worse, noise-free, the best configuration a pruner completed is than the
  // target; when a pruner misses the target, is what it found nearly as good?
  const pruners = specs.map(([name, spec]) => ({
    name,
    spec,
    runs: [] as RunResult[],
    regrets: [] as number[],
  }));
  for (let seed = 0; seed < seeds; seed++) {
    const random = new Random(seed);
    const curves = Array.from({ length: configs }, () => curveOf(randomParams(curveSpace, random)));
    // Full-budget random search: the best final report among all configurations.
    const finals = curves.map((curve) => lossAt(curve, maxSteps));
    const observed = finals.map((final) => final + random.normal(0, reportNoise));
    const target = observed.indexOf(Math.min(...observed));
    for (const pruner of pruners) {
      const run = runConfigurations(
        curves,
        createPruner(pruner.spec),
        target,
        maxSteps,
        workers,
        random.fork(),
      );
      const bestCompleted = Math.min(...run.completed.map((number) => finals[number] as number));
      pruner.runs.push(run);
      pruner.regrets.push(bestCompleted - (finals[target] as number));
    }
  }
  const fullBudget = configs * maxSteps;
  const format = (value: number, digits = 3) =>
    Number.isFinite(value) ? value.toFixed(digits) : "inf";
  const row = (cells: string[]) =>
    cells.map((cell, i) => (i === 0 ? cell.padEnd(16) : cell.padStart(18))).join("");
  const lines = [
    `pruners: ${configs} configs x ${maxSteps} steps, ${workers} workers, median over ${seeds} seeds`,
    row(["pruner", "resource_to_best", "found_best", "total_resource", "worst_regret"]),
    row(["random (full)", "1.000", `${seeds}/${seeds}`, "1.000", "0.0000"]),
  ];
  const resourceToBest = pruners.map(({ runs }) =>
    median(runs.map((run) => run.stepsToTarget / fullBudget)),
  );
  for (const [i, { name, runs, regrets }] of pruners.entries()) {
    lines.push(
      row([
        name,
        format(resourceToBest[i] as number),
        `${runs.filter((run) => Number.isFinite(run.stepsToTarget)).length}/${seeds}`,
        format(median(runs.map((run) => run.totalSteps / fullBudget))),
        format(Math.max(...regrets), 4),
      ]),
    );
  }
  return { lines, ashaResourceFraction: resourceToBest[0] as number };
}

if (import.meta.url === pathToFileURL(process.argv[1] ?? "").href) {
  const { lines, ashaResourceFraction } = runPrunerBenchmark();
  console.log([...lines, `asha_resource_fraction=${ashaResourceFraction.toFixed(3)}`].join("\n"));
}
