// TPE's model, fitted from (configuration, score) pairs given explicitly: the TPE sampler scores the
// study's trials by rank, BOHB scores the trials that reached one budget by their value there.
import { z } from "zod";
import type { Random } from "../../random.ts";
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
import type { Direction, Params, ParamValue } from "../types.ts";
import { type ParzenDimension, ParzenEstimator } from "./parzen.ts";
import { freeRandomParams } from "./random.ts";
import { singleObjectiveSign } from "./sampler.ts";

/** Model draws before a pick that equals a queued or running trial gives way to a random one. */
const PENDING_REDRAWS = 5;

/** The model's settings, shared by TPE and BOHB with each one's defaults. */
export function tpeModelShape(defaults: { eiCandidates: number; goodFraction: number }) {
  return {
    eiCandidates: z
      .number()
      .int()
      .min(1)
      .default(defaults.eiCandidates)
      .describe(
        "Candidates drawn from the good trials' density; the one with the best l(x)/g(x) wins.",
      )
      .meta({ label: "EI candidates" }),
    goodFraction: z
      .number()
      .gt(0)
      .lt(1)
      .default(defaults.goodFraction)
      .describe(
        "Share of the ranked trials that count as good (rounded up; at most maxGoodTrials and, for BOHB, at least minObservations; Optuna's gamma, BOHB's q).",
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
      .describe(
        "Model the parameters that become active together jointly instead of one by one. Off by default: one by one found values as good or better after 25 and 50 trials on most functions of bench:search.",
      )
      .meta({ label: "Multivariate" }),
    constantLiar: z
      .boolean()
      .default(true)
      .describe(
        "Count queued and running trials as bad and hand out none of their configurations again, so that parallel trials spread out (when every configuration of a small discrete space is training, the next trial waits for one to finish).",
      )
      .meta({ label: "Constant liar" }),
  };
}

export type TpeModelSettings = z.output<z.ZodObject<ReturnType<typeof tpeModelShape>>>;

/** A configuration the model learns from, and how it did: lower scores are better. */
export interface TpeObservation {
  params: Params;
  score: number;
}

export interface TpeModelInput {
  /** Oldest first: with many observations the older ones weigh less. */
  observations: TpeObservation[];
  /** Configurations of queued and running trials without an observation: the liar's bad ones. */
  pending: Params[];
  /** Configurations of every queued and running trial: with the liar, none is handed out again. */
  taken: Params[];
  /** The fewest observations that count as good where goodFraction gives fewer (BOHB's N_min). */
  minGood?: number;
}

/**
 * One configuration from TPE's model (Bergstra et al. 2011, after Optuna's TPESampler): the best
 * observations by score (goodFraction of them, at least minGood, at most maxGoodTrials) and the rest
 * are modelled by Parzen estimators l(x) and g(x), and of eiCandidates points drawn from l the one
 * maximising l(x)/g(x) is picked.
 *
 * With the constant liar, pending configurations count as bad, and a pick that a queued or running
 * trial holds is redrawn; after a few tries the configuration is random, and still not a taken one.
 */
export function sampleTpeModel(
  space: SearchSpace,
  { observations, pending, taken, minGood = 0 }: TpeModelInput,
  settings: TpeModelSettings,
  random: Random,
): Params {
  const goodCount = Math.min(
    Math.max(Math.ceil(settings.goodFraction * observations.length), minGood),
    settings.maxGoodTrials,
  );
  const ranks = observations
    .map((observation, index) => ({ index, score: observation.score }))
    .sort((a, b) => compare(a.score, b.score) || a.index - b.index);
  const isGood = new Set(ranks.slice(0, goodCount).map(({ index }) => index));
  const good = observations.filter((_, index) => isGood.has(index)).map(({ params }) => params);
  const rest = observations.filter((_, index) => !isGood.has(index)).map(({ params }) => params);
  const model = new TpeModel(space, settings);
  if (!settings.constantLiar) return model.sample(good, rest, random);
  const bad = [...rest, ...pending];
  // The liar makes pending points unlikely, not impossible: in a small discrete space the model
  // may still pick one. Such a pick is redrawn, and after a few tries the point is random.
  const takenKeys = new Set(taken.map(paramsKey));
  for (let attempt = 0; attempt < PENDING_REDRAWS; attempt++) {
    const params = model.sample(good, bad, random);
    if (!takenKeys.has(paramsKey(params))) return params;
  }
  return freeRandomParams(space, takenKeys, random);
}

/**
 * Conditional spaces are sampled in stages: the parameters active given the values chosen so far,
 * modelled on the configurations that had them (jointly when multivariate), then those their
 * values activate.
 */
class TpeModel {
  constructor(
    private readonly space: SearchSpace,
    private readonly settings: TpeModelSettings,
  ) {}

  /** One configuration, stage by stage: the parameters active given the values chosen so far. */
  sample(good: Params[], bad: Params[], random: Random): Params {
    const order = topologicalOrder(this.space);
    const params: Params = {};
    for (;;) {
      const stage = order.filter((name) => !(name in params) && isActive(this.space, name, params));
      if (stage.length === 0) return params;
      const modelled: string[] = [];
      for (const name of stage) {
        const param = this.space[name] as ParamSpec;
        if (param.type === "fixed") params[name] = param.value;
        else modelled.push(name);
      }
      const groups = this.settings.multivariate ? [modelled] : modelled.map((name) => [name]);
      for (const group of groups) {
        if (group.length > 0) Object.assign(params, this.sampleGroup(group, good, bad, random));
      }
    }
  }

  private sampleGroup(names: string[], good: Params[], bad: Params[], random: Random): Params {
    const params = names.map((name) => this.space[name] as ParamSpec);
    const dimensions = params.map(parzenDimension);
    const estimator = (configurations: Params[]) => {
      const observations = observe(configurations, names, params);
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

/** Coordinates of the configurations that hold every parameter of the group with a value it can take. */
function observe(configurations: Params[], names: string[], params: ParamSpec[]): number[][] {
  const rows: number[][] = [];
  for (const configuration of configurations) {
    const values = names.map((name) => configuration[name]);
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

/**
 * A score for a study's single objective: its value, negated when maximising, so lower is better;
 * a value that is missing, NaN or infinite scores worst.
 */
export function objectiveScore(
  directions: Direction[],
  sampler: string,
): (value: number | undefined) => number {
  const sign = singleObjectiveSign(sampler, directions);
  return (value) =>
    value !== undefined && Number.isFinite(value) ? sign * value : Number.POSITIVE_INFINITY;
}

/** Ascending order that also holds for infinities (Infinity - Infinity is NaN). */
export function compare(a: number, b: number): number {
  return a < b ? -1 : a > b ? 1 : 0;
}
