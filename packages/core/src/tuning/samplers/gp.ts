import { z } from "zod";
import type { Random } from "../../random.ts";
import { fitsSpace, type SearchSpace } from "../space.ts";
import type { Direction, Params, StudyHistory, TrialRecord } from "../types.ts";
import { type ConstraintModel, logConstrainedExpectedImprovement } from "./gp/acquisition.ts";
import { canonical, decode, dimensionsOf, encode } from "./gp/encoding.ts";
import { fitGaussianProcess } from "./gp/fit.ts";
import { maximizeAcquisition } from "./gp/maximize.ts";
import { randomParams } from "./random.ts";
import { parseSettings, type Sampler } from "./sampler.ts";

export const gpSettingsSchema = z.strictObject({
  startupTrials: z
    .number()
    .int()
    .min(1)
    .default(10)
    .describe(
      "Random trials before the model takes over (Optuna's n_startup_trials); the model needs a few completed ones to fit.",
    )
    .meta({ label: "Random trials first" }),
  deterministicObjective: z
    .boolean()
    .default(false)
    .describe(
      "The objective gives the same value for the same parameters: the model assumes no noise.",
    )
    .meta({ label: "Deterministic objective" }),
  candidates: z
    .number()
    .int()
    .min(1)
    .default(2048)
    .describe(
      "Random points the acquisition function is evaluated at before the local searches start from the best of them.",
    )
    .meta({ label: "Candidates" }),
  localSearches: z
    .number()
    .int()
    .min(2)
    .default(10)
    .describe(
      "Local searches (L-BFGS on continuous parameters, value by value on discrete ones) that refine the best candidates and the best trial.",
    )
    .meta({ label: "Local searches" }),
});
export type GpSettings = z.output<typeof gpSettingsSchema>;
export type GpOptions = z.input<typeof gpSettingsSchema>;

/** Guards the standardisation of a constant objective or constraint (Optuna's EPS). */
const MIN_SPREAD = 1e-10;

/**
 * Gaussian-process Bayesian optimisation, after Optuna's GPSampler: a GP with a Matérn 5/2 ARD
 * kernel is fitted to the completed trials (values standardised), and the point of highest log
 * expected improvement is asked for. Trials without a value (queued, running, paused, refused) are
 * taken to score the worst value seen (a constant liar), so that parallel asks spread out. When
 * completed trials carry constraint values, one GP per constraint models them and the improvement
 * is weighted by the probability that all hold. One objective only; for small budgets (each ask
 * is cubic in the number of trials).
 */
export class GpSampler implements Sampler {
  readonly kind = "gp";
  readonly settings: GpSettings;

  constructor(options: GpOptions = {}) {
    this.settings = parseSettings("gp", gpSettingsSchema, options);
  }

  ask(space: SearchSpace, history: StudyHistory, random: Random): Params {
    const sign = maximisingSign(history.directions);
    const usable = history.trials.filter((trial) => fitsSpace(space, trial.params));
    const completed = usable.filter((trial) => trial.state === "completed" && hasValue(trial));
    const dimensions = dimensionsOf(space);
    if (completed.length < this.settings.startupTrials || dimensions.length === 0) {
      return randomParams(space, random);
    }
    const categorical = dimensions.map((dimension) => dimension.kind === "categorical");
    const fit = (trials: TrialRecord[], targets: number[]) =>
      fitGaussianProcess(
        trials.map((trial) => encode(dimensions, trial.params)),
        targets,
        categorical,
        { deterministic: this.settings.deterministicObjective, random },
      );

    const objective = standardise(completed.map((trial) => sign * (trial.values?.[0] as number)));
    // Constant liar: trials without a value count as the worst value seen, so the acquisition
    // falls around them (as TPE ranks them last): parallel asks spread out, and a draw refused for
    // breaking a setting constraint is not drawn again.
    const valueless = usable.filter(isValueless);
    const lie = Math.min(...objective.values);
    const objectiveModel = fit(completed, objective.values).withObservations(
      valueless.map((trial) => encode(dimensions, trial.params)),
      valueless.map(() => lie),
    );
    const constraintCount = Math.max(
      0,
      ...completed.map((trial) => trial.constraints?.length ?? 0),
    );
    const measured = completed.filter(
      (trial) =>
        trial.constraints?.length === constraintCount &&
        !trial.constraints.some((c) => Number.isNaN(c)),
    );
    const constraints = Array.from({ length: constraintCount }, (_, k): ConstraintModel => {
      // Maximised like the objective: constraint k holds where −c ≥ 0.
      const flipped = standardise(measured.map((trial) => -(trial.constraints?.[k] as number)));
      return { process: fit(measured, flipped.values), threshold: flipped.scale(0) };
    });

    // The incumbent: the best value of a trial that met every constraint.
    let incumbent = Number.NEGATIVE_INFINITY;
    let bestTrial: number[] | undefined;
    completed.forEach((trial, i) => {
      const value = objective.values[i] as number;
      if (meetsConstraints(trial, constraintCount) && value > incumbent) {
        incumbent = value;
        bestTrial = encode(dimensions, trial.params);
      }
    });
    const x = maximizeAcquisition(
      logConstrainedExpectedImprovement(objectiveModel, incumbent, constraints),
      { dimensions, canonical: (point) => canonical(space, dimensions, point) },
      {
        candidates: this.settings.candidates,
        localSearches: this.settings.localSearches,
        warmStarts: bestTrial === undefined ? [] : [bestTrial],
        random,
      },
    );
    return decode(space, dimensions, x);
  }
}

function hasValue(trial: TrialRecord): boolean {
  return !Number.isNaN(trial.values?.[0] ?? Number.NaN);
}

/**
 * Trials whose point is taken but has no value: queued, running or paused ones, and completed
 * ones without a value (a diverged run, or a draw askWithinConstraints refused). Failed and
 * cancelled trials say nothing about their point, as in Optuna.
 */
function isValueless(trial: TrialRecord): boolean {
  return (
    trial.state === "queued" ||
    trial.state === "running" ||
    trial.state === "paused" ||
    (trial.state === "completed" && !hasValue(trial))
  );
}

/**
 * Values shifted and scaled to mean 0 and deviation 1, infinities first clipped to the finite
 * extremes (Optuna's _standardize_values), and the same map for any other value.
 */
function standardise(raw: number[]): { values: number[]; scale: (value: number) => number } {
  const finite = raw.filter(Number.isFinite);
  const low = finite.length > 0 ? Math.min(...finite) : 0;
  const high = finite.length > 0 ? Math.max(...finite) : 0;
  const clipped = raw.map((value) => Math.min(high, Math.max(low, value)));
  const mean = clipped.reduce((sum, value) => sum + value, 0) / clipped.length;
  const spread = Math.sqrt(
    clipped.reduce((sum, value) => sum + (value - mean) ** 2, 0) / clipped.length,
  );
  const scale = (value: number) => (value - mean) / Math.max(MIN_SPREAD, spread);
  return { values: clipped.map(scale), scale };
}

/** Whether a trial met all of the study's constraints (trivially so when it has none). */
function meetsConstraints(trial: TrialRecord, count: number): boolean {
  if (count === 0) return true;
  return trial.constraints?.length === count && trial.constraints.every((c) => c <= 0);
}

function maximisingSign(directions: Direction[]): number {
  const [direction, ...rest] = directions;
  if (direction === undefined || rest.length > 0) {
    throw new Error(
      `gp sampler optimises one objective, the study has ${directions.length}; use nsga2 for several`,
    );
  }
  return direction === "minimize" ? -1 : 1;
}
