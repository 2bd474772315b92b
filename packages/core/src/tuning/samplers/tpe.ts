import { z } from "zod";
import type { Random } from "../../random.ts";
import { isFeasible, totalViolation } from "../constraints/feasibility.ts";
import {
  contains,
  fromUnit,
  isActive,
  type ParamSpec,
  paramsKey,
  type SearchSpace,
  topologicalOrder,
  toUnit,
  unitBins,
} from "../space.ts";
import type { Direction, Params, ParamValue, StudyHistory, TrialRecord } from "../types.ts";
import { type ParzenDimension, ParzenEstimator } from "./parzen.ts";
import { randomParams } from "./random.ts";
import { parseSettings, type Sampler } from "./sampler.ts";

/** Model draws before a pick that equals a queued or running trial gives way to a random one. */
const PENDING_REDRAWS = 5;

export const tpeSettingsSchema = z.strictObject({
  startupTrials: z
    .number()
    .int()
    .min(0)
    .default(10)
    .describe("Random trials before the model takes over (Optuna's n_startup_trials).")
    .meta({ label: "Random trials first" }),
  eiCandidates: z
    .number()
    .int()
    .min(1)
    .default(24)
    .describe(
      "Candidates drawn from the good trials' density; the one with the best l(x)/g(x) wins.",
    )
    .meta({ label: "EI candidates" }),
  goodFraction: z
    .number()
    .gt(0)
    .lt(1)
    .default(0.1)
    .describe(
      "Share of the ranked trials that count as good (rounded up, at most maxGoodTrials; Optuna's gamma).",
    )
    .meta({ label: "Good fraction" }),
  maxGoodTrials: z
    .number()
    .int()
    .min(1)
    .default(25)
    .describe("The most trials that count as good, however many have run.")
    .meta({ label: "Max good trials" }),
  priorWeight: z
    .number()
    .positive()
    .default(1)
    .describe("Weight of the broad prior kernel against each observation's.")
    .meta({ label: "Prior weight" }),
  multivariate: z
    .boolean()
    .default(false)
    .describe("Model the parameters that become active together jointly instead of one by one.")
    .meta({ label: "Multivariate" }),
  constantLiar: z
    .boolean()
    .default(true)
    .describe(
      "Count queued and running trials as bad, and redraw a pick equal to one of them, so that parallel trials spread out.",
    )
    .meta({ label: "Constant liar" }),
});
export type TpeSettings = z.output<typeof tpeSettingsSchema>;
export type TpeOptions = z.input<typeof tpeSettingsSchema>;

/**
 * Tree-structured Parzen Estimator (Bergstra et al. 2011), after Optuna's TPESampler. The ranked
 * trials split into a good share and the rest; a Parzen estimator of each, l(x) and g(x), is built
 * over the parameters, and of eiCandidates points drawn from l the one maximising l(x)/g(x), the
 * expected improvement, is asked for.
 *
 * Conditional spaces are sampled in stages: the parameters active given the values chosen so far,
 * modelled on the trials that had them (jointly when multivariate), then those their values
 * activate. Pruned and paused trials rank after the completed ones, by the step they reached, and
 * trials that broke a measured constraint after those, as Optuna's TPE with constraints.
 */
export class TpeSampler implements Sampler {
  readonly kind = "tpe";
  readonly settings: TpeSettings;

  constructor(options: TpeOptions = {}) {
    this.settings = parseSettings("tpe", tpeSettingsSchema, options);
  }

  ask(space: SearchSpace, history: StudyHistory, random: Random): Params {
    const { ranked, pending } = rankTrials(history);
    if (ranked.length < this.settings.startupTrials) return randomParams(space, random);
    const goodCount = Math.min(
      Math.ceil(this.settings.goodFraction * ranked.length),
      this.settings.maxGoodTrials,
    );
    const good = byNumber(ranked.slice(0, goodCount));
    const rest = ranked.slice(goodCount);
    if (!this.settings.constantLiar) return this.sampleModel(space, good, byNumber(rest), random);
    const bad = byNumber([...rest, ...pending]);
    // The liar makes pending points unlikely, not impossible: in a small discrete space the model
    // may still pick one. Such a pick is redrawn, and after a few tries the point is random.
    const taken = new Set(pending.map((trial) => paramsKey(trial.params)));
    for (let attempt = 0; attempt < PENDING_REDRAWS; attempt++) {
      const params = this.sampleModel(space, good, bad, random);
      if (!taken.has(paramsKey(params))) return params;
    }
    return randomParams(space, random);
  }

  /** One configuration, stage by stage: the parameters active given the values chosen so far. */
  private sampleModel(
    space: SearchSpace,
    good: TrialRecord[],
    bad: TrialRecord[],
    random: Random,
  ): Params {
    const order = topologicalOrder(space);
    const params: Params = {};
    for (;;) {
      const stage = order.filter((name) => !(name in params) && isActive(space, name, params));
      if (stage.length === 0) return params;
      const modelled: string[] = [];
      for (const name of stage) {
        const param = space[name] as ParamSpec;
        if (param.type === "fixed") params[name] = param.value;
        else modelled.push(name);
      }
      const groups = this.settings.multivariate ? [modelled] : modelled.map((name) => [name]);
      for (const group of groups) {
        if (group.length > 0) {
          Object.assign(params, this.sampleGroup(space, group, good, bad, random));
        }
      }
    }
  }

  private sampleGroup(
    space: SearchSpace,
    names: string[],
    good: TrialRecord[],
    bad: TrialRecord[],
    random: Random,
  ): Params {
    const params = names.map((name) => space[name] as ParamSpec);
    const dimensions = params.map(parzenDimension);
    const estimator = (trials: TrialRecord[]) => {
      const observations = observe(trials, names, params);
      return new ParzenEstimator(dimensions, observations, recencyWeights(observations.length), {
        priorWeight: this.settings.priorWeight,
        multivariate: this.settings.multivariate,
      });
    };
    const below = estimator(good);
    const above = estimator(bad);

    let best: ParamValue[] = [];
    let bestScore = Number.NEGATIVE_INFINITY;
    for (const candidate of below.sample(random, this.settings.eiCandidates)) {
      const values = candidate.map((coordinate, d) => decode(params[d] as ParamSpec, coordinate));
      // Score the value itself: a stepped or rounded value stands for its whole bin.
      const point = values.map((value, d) => encode(params[d] as ParamSpec, value));
      const score = below.logDensity(point) - above.logDensity(point);
      if (best.length === 0 || score > bestScore) {
        best = values;
        bestScore = score;
      }
    }
    return Object.fromEntries(names.map((name, d) => [name, best[d] as ParamValue]));
  }
}

function parzenDimension(param: ParamSpec): ParzenDimension {
  if (param.type === "categorical") return { type: "categorical", choices: param.choices.length };
  const bins = unitBins(param);
  return bins === undefined ? { type: "numeric" } : { type: "numeric", bins };
}

/** A value's coordinate for the estimator: its choice index, or its place in the unit interval. */
function encode(param: ParamSpec, value: ParamValue): number {
  return param.type === "categorical" ? param.choices.indexOf(value) : toUnit(param, value);
}

function decode(param: ParamSpec, coordinate: number): ParamValue {
  return param.type === "categorical"
    ? (param.choices[coordinate] as ParamValue)
    : fromUnit(param, coordinate);
}

/** Coordinates of the trials that hold every parameter of the group with a value it can take. */
function observe(trials: TrialRecord[], names: string[], params: ParamSpec[]): number[][] {
  const rows: number[][] = [];
  for (const trial of trials) {
    const values = names.map((name) => trial.params[name]);
    const fits = values.every(
      (value, d) => value !== undefined && contains(params[d] as ParamSpec, value),
    );
    if (fits) {
      rows.push(values.map((value, d) => encode(params[d] as ParamSpec, value as ParamValue)));
    }
  }
  return rows;
}

/**
 * Optuna's default weights: equal for up to 25 observations, beyond that the older ones (listed
 * first) ramp down linearly from 1/n, so the model follows the recent trials.
 */
function recencyWeights(count: number): number[] {
  const flat = 25;
  if (count < flat) return new Array<number>(count).fill(1);
  const ramp = count - flat;
  const start = 1 / count;
  return Array.from({ length: count }, (_, i) =>
    i >= ramp ? 1 : ramp === 1 ? start : start + ((1 - start) * i) / (ramp - 1),
  );
}

function byNumber(trials: TrialRecord[]): TrialRecord[] {
  return [...trials].sort((a, b) => a.number - b.number);
}

/**
 * Trials best first: completed ones by value, then pruned and paused ones by the step they reached
 * and their value there, then infeasible ones (a measured constraint broken) by total violation,
 * then those with no usable value; so a slice from the top is Optuna's below set (its
 * `_split_trials`: feasible complete, feasible pruned, infeasible). Queued and running trials are
 * pending. Failed and cancelled trials say nothing about their parameters and are left out.
 */
export function rankTrials(history: StudyHistory): {
  ranked: TrialRecord[];
  pending: TrialRecord[];
} {
  const sign = singleObjectiveSign(history.directions);
  const completed: TrialRecord[] = [];
  const stopped: TrialRecord[] = [];
  const infeasible: TrialRecord[] = [];
  const unusable: TrialRecord[] = [];
  const pending: TrialRecord[] = [];
  const score = (value: number | undefined) =>
    value !== undefined && Number.isFinite(value) ? sign * value : Number.POSITIVE_INFINITY;
  for (const trial of history.trials) {
    const finished = trial.state === "completed" || trial.state === "pruned";
    if (finished && !isFeasible(trial)) {
      infeasible.push(trial);
      continue;
    }
    switch (trial.state) {
      case "completed":
        if (Number.isFinite(trial.values?.[0])) completed.push(trial);
        else unusable.push(trial);
        break;
      case "pruned":
      case "paused":
        if (trial.intermediate.length > 0) stopped.push(trial);
        else unusable.push(trial);
        break;
      case "queued":
      case "running":
        pending.push(trial);
        break;
    }
  }
  completed.sort((a, b) => compare(score(a.values?.[0]), score(b.values?.[0])));
  const last = (trial: TrialRecord) => trial.intermediate.at(-1) as { step: number; value: number };
  stopped.sort(
    (a, b) => last(b).step - last(a).step || compare(score(last(a).value), score(last(b).value)),
  );
  infeasible.sort((a, b) => totalViolation(a) - totalViolation(b));
  return { ranked: [...completed, ...stopped, ...infeasible, ...unusable], pending };
}

/** Ascending order that also holds for infinities (Infinity - Infinity is NaN). */
function compare(a: number, b: number): number {
  return a < b ? -1 : a > b ? 1 : 0;
}

function singleObjectiveSign(directions: Direction[]): number {
  const [direction, ...rest] = directions;
  if (direction === undefined || rest.length > 0) {
    throw new Error(
      `tpe sampler optimises one objective, the study has ${directions.length}; use nsga2 for several`,
    );
  }
  return direction === "minimize" ? 1 : -1;
}
