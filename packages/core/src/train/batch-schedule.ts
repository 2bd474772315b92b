/**
 * A batch that grows during training towards the gradient noise scale (McCandlish et al. 2018,
 * "An Empirical Model of Large-Batch Training"). B_noise = tr(Σ)/|G|² is about the batch above
 * which a bigger batch stops saving steps in proportion; it grows as the loss falls, so a batch
 * that follows it stays cheap in data early and fast in steps later.
 *
 * The batch is a whole number of microbatches whose gradients the trainer averages, so memory holds
 * one microbatch however large the batch grows. Every step measures the noise scale at no extra
 * cost: the squared norms of its first microbatch's gradient and of the mean over all its k
 * microbatches are the two batch sizes the estimator needs (tuning/strategies/batch-size.ts). That
 * takes two, so the batch starts at two microbatches or more. (Measuring apart from the steps would
 * cost two microbatches a measurement, and a single one is so noisy that it takes about a hundred.)
 * The estimates of |G|² and tr(Σ) are averaged separately, as the paper's appendix A recommends (a
 * mean of ratios is biased). Growth is for good, so the batch grows, never shrinks, to the largest
 * whole number of microbatches not above the noise scale the measurements support: with |G|², the
 * noisy denominator, raised by two standard errors of its average (a plain ratio grew the batch
 * twice too far on early noise), and up to a maximum.
 *
 * The learning rate is the base rate's for the base batch (the trainer's accumulation steps),
 * scaled to the step's batch by a rule, times the schedule's rate; the schedule advances a step
 * per base batch's tokens, so that it spans a token budget however the batch grows (with a batch
 * that stays at the base, that is the step itself).
 */
import {
  type GradientNormMeasurement,
  noiseEstimates,
  scaleLr,
} from "../tuning/strategies/batch-size.ts";
import { learningRateAt, type Schedule } from "./schedules.ts";

/** How the learning rate follows the batch's growth: × √growth (Adam), × growth (SGD), or not. */
export type BatchLrScaling = "sqrt" | "linear" | "none";

export interface NoiseScaleBatchOptions {
  /** Sequences per microbatch: the batch and noise scale are reported in sequences. */
  microbatchSize: number;
  /** Microbatches of the batch the base learning rate is for; the batch starts there, or at 2. */
  baseMicrobatches: number;
  /** The most microbatches per step; at least the start. */
  maxMicrobatches: number;
  lrScaling: BatchLrScaling;
  /** Tokens of the base batch: the schedule advances a step per this many tokens. */
  tokensPerBaseStep: number;
}

/** What a checkpoint keeps of it: measured, not recomputable without replaying the training. */
export interface NoiseScaleBatchState {
  microbatches: number;
  /** Moving averages of the |G|² and tr(Σ) estimates, in microbatch units, from 0. */
  squaredGradientNorm: number;
  traceCovariance: number;
  /** Moving average of the |G|² estimates' squares, for their spread. */
  squaredGradientNormSquares: number;
  /** Measurements averaged so far. */
  measurements: number;
}

/**
 * Weight of the past in the moving averages: about the last hundred measurements count, what a
 * two-microbatch measurement's noise needs (0.95 grew a tiny GPT's batch on passing spikes).
 */
const SMOOTHING = 0.99;
/** Measurements before the batch may grow, so that the spread of |G|² is itself measured. */
export const MIN_MEASUREMENTS = 50;

/** The microbatches a noise-scale batch starts at: the base, but two at least, to measure. */
export function startMicrobatches(baseMicrobatches: number): number {
  return Math.max(2, baseMicrobatches);
}

export class NoiseScaleBatch {
  private state: NoiseScaleBatchState;

  constructor(readonly options: NoiseScaleBatchOptions) {
    const { microbatchSize, baseMicrobatches, maxMicrobatches, tokensPerBaseStep } = options;
    for (const [name, value] of Object.entries({
      microbatchSize,
      baseMicrobatches,
      tokensPerBaseStep,
    })) {
      if (!(Number.isInteger(value) && value >= 1)) {
        throw new Error(
          `the noise-scale batch's ${name} must be a positive whole number, got ${value}`,
        );
      }
    }
    const start = startMicrobatches(baseMicrobatches);
    if (!(Number.isInteger(maxMicrobatches) && maxMicrobatches >= start)) {
      throw new Error(
        `the noise-scale batch's maxMicrobatches must be a whole number of at least ${start}, where it starts, got ${maxMicrobatches}`,
      );
    }
    this.state = {
      microbatches: start,
      squaredGradientNorm: 0,
      traceCovariance: 0,
      squaredGradientNormSquares: 0,
      measurements: 0,
    };
  }

  /** Microbatches the next step takes. */
  get microbatches(): number {
    return this.state.microbatches;
  }

  /**
   * Adds the squared gradient norms of one microbatch and of the mean over `microbatches`, taken at
   * the same weights, and grows the batch towards the noise scale.
   */
  observe(microbatches: number, smallSquaredNorm: number, bigSquaredNorm: number) {
    const measurement: GradientNormMeasurement = {
      smallBatch: 1,
      bigBatch: microbatches,
      smallSquaredNorm,
      bigSquaredNorm,
    };
    const estimate = noiseEstimates(measurement);
    const average = (previous: number, value: number) =>
      SMOOTHING * previous + (1 - SMOOTHING) * value;
    const { state } = this;
    state.squaredGradientNorm = average(state.squaredGradientNorm, estimate.squaredGradientNorm);
    state.traceCovariance = average(state.traceCovariance, estimate.traceCovariance);
    state.squaredGradientNormSquares = average(
      state.squaredGradientNormSquares,
      estimate.squaredGradientNorm ** 2,
    );
    state.measurements += 1;
    const supported = this.supportedScale();
    if (state.measurements >= MIN_MEASUREMENTS && supported !== undefined) {
      const target = Math.min(this.options.maxMicrobatches, Math.floor(supported));
      state.microbatches = Math.max(state.microbatches, target);
    }
  }

  /** B_noise in sequences; undefined before a measurement, or while the noise swamps |G|². */
  get noiseScale(): number | undefined {
    const scale = this.noiseScaleInMicrobatches();
    return scale === undefined ? undefined : scale * this.options.microbatchSize;
  }

  /** Sequences per step. */
  get batchSize(): number {
    return this.state.microbatches * this.options.microbatchSize;
  }

  /**
   * The schedule's rate at the tokens seen so far, scaled by the rule from the base batch to the
   * step's. At the base batch the factor is exactly 1 and the position is the step.
   */
  learningRate(schedule: Schedule, baseLr: number, tokensSeen: number): number {
    const { tokensPerBaseStep, baseMicrobatches, lrScaling } = this.options;
    const scheduled = learningRateAt(schedule, baseLr, Math.floor(tokensSeen / tokensPerBaseStep));
    if (lrScaling === "none") return scheduled;
    return scaleLr(this.state.microbatches, baseMicrobatches, scheduled, lrScaling);
  }

  getState(): NoiseScaleBatchState {
    return { ...this.state };
  }

  /** Restores a saved state; its batch is kept within this schedule's start and maximum. */
  setState(state: NoiseScaleBatchState) {
    const { baseMicrobatches, maxMicrobatches } = this.options;
    const start = startMicrobatches(baseMicrobatches);
    const microbatches = Math.min(maxMicrobatches, Math.max(start, state.microbatches));
    this.state = { ...state, microbatches };
  }

  private noiseScaleInMicrobatches(): number | undefined {
    const { squaredGradientNorm, traceCovariance } = this.state;
    // The averages share their start at 0, so their ratio needs no bias correction.
    if (!(squaredGradientNorm > 0 && traceCovariance > 0)) return undefined;
    return traceCovariance / squaredGradientNorm;
  }

  /** The noise scale in microbatches with |G|² two standard errors up; undefined as above. */
  private supportedScale(): number | undefined {
    const { squaredGradientNorm, traceCovariance, squaredGradientNormSquares, measurements } =
      this.state;
    // Measurement i of n weighs (1 - s) s^(n - i): in all 1 - s^n, worth this many equal ones.
    const weight = 1 - SMOOTHING ** measurements;
    const effectiveCount =
      (weight ** 2 * (1 + SMOOTHING)) / ((1 - SMOOTHING) * (1 - SMOOTHING ** (2 * measurements)));
    const mean = squaredGradientNorm / weight;
    const variance = Math.max(0, squaredGradientNormSquares / weight - mean ** 2);
    const upper = mean + 2 * Math.sqrt(variance / effectiveCount);
    if (!(upper > 0 && traceCovariance > 0)) return undefined;
    return traceCovariance / weight / upper;
  }
}
