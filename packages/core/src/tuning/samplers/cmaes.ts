import { z } from "zod";
import { Random } from "../../random.ts";
import {
  buildParams,
  contains,
  fromUnit,
  type ParamSpec,
  type SearchSpace,
  sampleUniform,
  topologicalOrder,
  toUnit,
} from "../space.ts";
import type { Params, StudyHistory, TrialRecord } from "../types.ts";
import {
  type CmaParameters,
  type CmaState,
  cmaParameters,
  defaultPopsize,
  initialCmaState,
  type Solution,
  sampleInUnitCube,
  shouldStopCma,
  tellCma,
} from "./cma.ts";
import { randomParams } from "./random.ts";
import { parseSettings, type Sampler, singleObjectiveSign } from "./sampler.ts";

export const cmaesSettingsSchema = z.strictObject({
  sigma0: z
    .number()
    .positive()
    .optional()
    .meta({
      label: "Initial step size σ₀",
      defaultNote: "1/6",
      description:
        "The starting spread, as a share of each parameter's range (of its log range on a log scale); Optuna's default is a sixth.",
      examples: [0.3],
    }),
  popsize: z
    .number()
    .int()
    .min(2)
    .optional()
    .meta({
      label: "Population",
      defaultNote: "4 + ⌊3 ln n⌋ for n numeric parameters",
      description:
        "Trials per generation (λ); the distribution moves once a generation has completed. Larger explores more, moves less often.",
      examples: [16],
    }),
  restartStrategy: z
    .enum(["none", "ipop"])
    .default("none")
    .describe(
      "none: one run, however small the distribution becomes; ipop: when it stops by cmaes' termination criteria, start again from a random point with incPopsize times the population (IPOP-CMA-ES), which helps on multimodal functions.",
    )
    .meta({ label: "Restarts" }),
  incPopsize: z
    .number()
    .int()
    .min(2)
    .default(2)
    .describe("What each IPOP restart multiplies the population by.")
    .meta({ label: "Population growth per restart" }),
  startupTrials: z
    .number()
    .int()
    .min(0)
    .default(0)
    .describe(
      "Random trials before CMA-ES starts, by trial number (Optuna's n_startup_trials); CMA-ES starts from the centre of the space and does not learn from them.",
    )
    .meta({ label: "Random trials first" }),
  considerPrunedTrials: z
    .boolean()
    .default(false)
    .describe(
      "Count pruned and paused trials in their generation with the value of their last report; otherwise they are replaced like failed ones (Optuna's consider_pruned_trials).",
    )
    .meta({ label: "Use pruned trials" }),
});
export type CmaEsSettings = z.output<typeof cmaesSettingsSchema>;
export type CmaEsOptions = z.input<typeof cmaesSettingsSchema>;

/** A generation of one CMA-ES run (restart) and the distribution it draws from. */
export interface Generation {
  restart: number;
  /** The generation's place in its restart, from 0. */
  index: number;
  /** The number of its first trial: candidate k of the generation is trial start + k. */
  start: number;
  parameters: CmaParameters;
  state: CmaState;
}

/** Mixed into the study seed so the generations' streams differ from the trials' own. */
const STREAM_SALT = 0x636d6165;

/**
 * CMA-ES (Hansen's tutorial, arXiv:1604.00772) as Optuna's CmaEsSampler runs CyberAgent's cmaes:
 * a Gaussian over the unit cube of the numeric parameters that are always active (log scales and
 * steps mapped as ../space.ts maps them, values told as their bins' centres) whose mean, step size
 * and covariance move after each generation of popsize completed trials; with restartStrategy
 * "ipop", a run that stops by cmaes' termination criteria is followed by one with a larger
 * population (Auger & Hansen 2005). Categorical and conditional parameters are drawn at random, as
 * Optuna's independent sampler does: CMA-ES needs ordered coordinates present in every trial.
 *
 * Optuna keeps the optimizer in each trial's system attributes; a sampler here keeps nothing, so
 * the state is rebuilt on every ask by replaying the history in trial-number order:
 * - Trials from startupTrials on form generations of consecutive numbers. Candidate k of a
 *   generation is trial start + k, drawn from a stream of the study seed, the restart and the
 *   generation (its k-th fork): a trial's parameters depend on the generations closed before it,
 *   not on which runner asks first nor on how the other trials of its own generation end.
 * - A generation closes at its popsize-th completed trial (pruned and paused ones count only with
 *   considerPrunedTrials), which updates the distribution; the next starts at the following number.
 *   Failed, cancelled and left-out trials are replaced by the next candidate of the same generation,
 *   as Optuna keeps sampling a generation until popsize of its trials completed.
 * - A queued or running trial holds its generation open: every later trial is drawn from it too,
 *   as Optuna does while a generation waits. Drawn from the open generation but numbered after the
 *   trial that closed it, such a trial counts in the next generation, where Optuna would drop it.
 * - The ask is for the trial after the highest number in the history.
 */
export class CmaEsSampler implements Sampler {
  readonly kind = "cmaes";
  readonly settings: CmaEsSettings;
  private readonly seed: number;

  constructor(options: CmaEsOptions = {}, seed = 0) {
    this.settings = parseSettings("cmaes", cmaesSettingsSchema, options);
    this.seed = seed;
  }

  ask(space: SearchSpace, history: StudyHistory, random: Random): Params {
    singleObjectiveSign(this.kind, history.directions);
    const names = modelledParams(space);
    const number = history.trials.reduce((max, trial) => Math.max(max, trial.number), -1) + 1;
    if (names.length === 0 || number < this.settings.startupTrials) {
      return randomParams(space, random);
    }
    const generation = this.currentGeneration(space, history);
    const x = this.candidate(generation, number - generation.start);
    return buildParams(space, (name, param) => {
      const d = names.indexOf(name);
      return d >= 0 ? fromUnit(param, x[d] as number) : sampleUniform(param, random);
    });
  }

  /** The generation still open after replaying the history: the one new trials are drawn from. */
  currentGeneration(space: SearchSpace, history: StudyHistory): Generation {
    const sign = singleObjectiveSign(this.kind, history.directions);
    const names = modelledParams(space);
    const start = this.settings.startupTrials;
    const trials = history.trials
      .filter((trial) => trial.number >= start)
      .sort((a, b) => a.number - b.number);
    const params = names.map((name) => space[name] as ParamSpec);
    let generation = this.restart(0, start, names.length);
    let solutions: Solution[] = [];
    for (const trial of trials) {
      const outcome = this.outcome(trial, names, params, sign);
      if (outcome === "pending") break;
      if (outcome === undefined) continue;
      solutions.push(outcome);
      if (solutions.length === generation.parameters.popsize) {
        generation = this.next(generation, solutions, trial.number + 1);
        solutions = [];
      }
    }
    return generation;
  }

  /** Candidate k of a generation, in the unit cube (cmaes redraws up to 10·n times, as Optuna). */
  candidate(generation: Generation, k: number): number[] {
    const stream = this.stream(generation.restart, generation.index);
    let own = stream.fork();
    for (let i = 0; i < k; i++) own = stream.fork();
    return sampleInUnitCube(generation.state, own, 10 * generation.parameters.dimensions);
  }

  /** The generation after one closed with these solutions, or a restart's first. */
  private next(generation: Generation, solutions: Solution[], start: number): Generation {
    const state = tellCma(generation.parameters, generation.state, solutions);
    if (this.settings.restartStrategy === "ipop" && shouldStopCma(generation.parameters, state)) {
      return this.restart(generation.restart + 1, start, generation.parameters.dimensions);
    }
    return { ...generation, index: generation.index + 1, start, state };
  }

  /** Run `restart` from the centre (the first) or a random point, popsize × incPopsize^restart. */
  private restart(restart: number, start: number, dimensions: number): Generation {
    const base = this.settings.popsize ?? defaultPopsize(dimensions);
    const random = this.stream(restart);
    const mean = Array.from({ length: dimensions }, () => (restart === 0 ? 0.5 : random.next()));
    return {
      restart,
      index: 0,
      start,
      parameters: cmaParameters(dimensions, base * this.settings.incPopsize ** restart),
      state: initialCmaState(mean, this.settings.sigma0 ?? 1 / 6),
    };
  }

  /**
   * What a trial tells its generation: "pending" while it may still complete, a solution (its
   * point and minimised value), or nothing when it failed or its parameters are not the space's.
   */
  private outcome(
    trial: TrialRecord,
    names: string[],
    params: ParamSpec[],
    sign: number,
  ): Solution | "pending" | undefined {
    if (trial.state === "queued" || trial.state === "running") return "pending";
    const stopped = trial.state === "pruned" || trial.state === "paused";
    const value =
      trial.state === "completed"
        ? trial.values?.[0]
        : stopped && this.settings.considerPrunedTrials
          ? trial.intermediate.at(-1)?.value
          : undefined;
    if (value === undefined || !Number.isFinite(value)) return undefined;
    const values = names.map((name) => trial.params[name]);
    const fits = values.every(
      (value, d) => value !== undefined && contains(params[d] as ParamSpec, value),
    );
    if (!fits) return undefined;
    return {
      x: values.map((value, d) => toUnit(params[d] as ParamSpec, value as number)),
      value: sign * value,
    };
  }

  /** A generator of the study seed and the keys, independent of every trial's own. */
  private stream(...keys: number[]): Random {
    let state = (this.seed ^ STREAM_SALT) >>> 0;
    for (const key of keys) {
      state = new Random((state ^ Math.imul(key + 1, 0x9e3779b9)) >>> 0).nextUint32();
    }
    return new Random(state);
  }
}

/** The numeric parameters present in every trial, parents first: CMA-ES's coordinates. */
export function modelledParams(space: SearchSpace): string[] {
  return topologicalOrder(space).filter((name) => {
    const param = space[name] as ParamSpec;
    const numeric = param.type === "float" || param.type === "int";
    return numeric && Object.keys(param.when ?? {}).length === 0;
  });
}
