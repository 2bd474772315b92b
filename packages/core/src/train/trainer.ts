/**
 * The training loop: draw a batch (or several microbatches, whose gradients are averaged), take one
 * optimizer step at the scheduled learning rate, report it, evaluate every N steps, and stop on the
 * budget, a stop signal or divergence. All randomness comes from seeded generators whose state is
 * part of a checkpoint, so a resumed run repeats the losses of an uninterrupted one.
 */
import * as tf from "@tensorflow/tfjs";
import type { GenerationMetricKey } from "../eval/metric-definitions.ts";
import type { GPT } from "../model/gpt.ts";
import { Random, type RandomState } from "../random.ts";
import {
  NoiseScaleBatch,
  type NoiseScaleBatchOptions,
  type NoiseScaleBatchState,
} from "./batch-schedule.ts";
import { type Batch, validationMetrics } from "./evaluate.ts";
import { averagedGradients } from "./gradients.ts";
import { clipByGlobalNorm, globalNorm, type Optimizer } from "./optimizers.ts";
import { learningRateAt, type Schedule } from "./schedules.ts";

export type { Batch } from "./evaluate.ts";

/** A seeded stream of training batches whose position can be saved and restored. */
export interface BatchSource<State = unknown> {
  next(): Batch;
  getState(): State;
  setState(state: State): void;
}

export type Budget = { steps: number } | { tokens: number };

export interface StepReport {
  step: number;
  tokensSeen: number;
  trainLoss: number;
  learningRate: number;
  /** Global gradient norm before clipping. */
  gradNorm: number;
  tokensPerSecond: number;
  /** With a noise-scale batch: the step's sequences, and the noise scale in sequences once measured. */
  batchSize?: number;
  noiseScale?: number;
}

export interface EvalReport {
  step: number;
  tokensSeen: number;
  validationLoss: number;
  perplexity: number;
  /** Only for classifiers. */
  accuracy?: number;
  /** Instruction and dialogue trials: the scores of completions generated for validation prompts. */
  generationMetrics?: Partial<Record<GenerationMetricKey, number>>;
  /** Instruction and dialogue trials: a few of those completions beside their references. */
  samples?: GenerationSample[];
}

/** A completion generated at an evaluation, beside the example's own. */
export interface GenerationSample {
  /** The example's line in its dataset file (or position in a built-in corpus), from 1. */
  line: number;
  /** The prompt as the model read it, rendered with the chat template. */
  prompt: string;
  /** The example's completion (its last assistant message). */
  reference: string;
  /** What the model wrote, up to its end-of-turn token. */
  generated: string;
}

export interface TrainerOptions {
  model: GPT;
  optimizer: Optimizer;
  train: BatchSource;
  /** A fresh pass over the validation batches; required when evalEvery is set. */
  validation?: () => Iterable<Batch>;
  budget: Budget;
  learningRate: number;
  schedule?: Schedule;
  /** Clip gradients to this global L2 norm. */
  maxGradNorm?: number;
  /** Microbatches whose gradients are averaged into one update (default 1). */
  accumulationSteps?: number;
  /**
   * Grow the microbatches per update towards the gradient noise scale (batch-schedule.ts), from
   * accumulationSteps (the base batch, which learningRate is for), or 2 at least; the schedule then
   * advances a step per base batch's tokens.
   */
  noiseScaleBatch?: Omit<NoiseScaleBatchOptions, "baseMicrobatches">;
  /** Evaluate every this many steps, and once more when the budget is spent. */
  evalEvery?: number;
  /** Seeds dropout. */
  seed: number;
  /** Diverged when the training loss exceeds this multiple of the first step's loss (default 3). */
  divergenceFactor?: number;
  /** Checked between steps: an aborted signal, or a function returning true, stops training. */
  stop?: AbortSignal | (() => boolean);
  onStep?: (report: StepReport) => void | Promise<void>;
  onEval?: (report: EvalReport) => void | Promise<void>;
}

export interface TrainResult {
  reason: "budget" | "stopped" | "diverged";
  /** Why it diverged or stopped, in words. */
  detail?: string;
  step: number;
  tokensSeen: number;
  lastStep?: StepReport;
  lastEval?: EvalReport;
}

/** What a checkpoint must restore, besides weights, optimizer and data sampler. */
export interface TrainerState {
  step: number;
  tokensSeen: number;
  random: RandomState;
  initialLoss: number | undefined;
  /** Only with a noise-scale batch. */
  noiseScaleBatch?: NoiseScaleBatchState;
}

export class Trainer {
  step = 0;
  tokensSeen = 0;
  private readonly random: Random;
  private initialLoss: number | undefined;
  private readonly options: TrainerOptions;
  private readonly noiseScaleBatch: NoiseScaleBatch | undefined;

  constructor(options: TrainerOptions) {
    checkOptions(options);
    this.options = options;
    this.random = new Random(options.seed);
    this.noiseScaleBatch =
      options.noiseScaleBatch &&
      new NoiseScaleBatch({
        ...options.noiseScaleBatch,
        baseMicrobatches: options.accumulationSteps ?? 1,
      });
  }

  getState(): TrainerState {
    return {
      step: this.step,
      tokensSeen: this.tokensSeen,
      random: this.random.getState(),
      initialLoss: this.initialLoss,
      ...(this.noiseScaleBatch && { noiseScaleBatch: this.noiseScaleBatch.getState() }),
    };
  }

  setState(state: TrainerState) {
    this.step = state.step;
    this.tokensSeen = state.tokensSeen;
    this.random.setState(state.random);
    this.initialLoss = state.initialLoss;
    if (state.noiseScaleBatch) this.noiseScaleBatch?.setState(state.noiseScaleBatch);
  }

  /** Trains until the budget is spent, the stop signal fires or the loss diverges. */
  async run(): Promise<TrainResult> {
    const { evalEvery, onStep, onEval } = this.options;
    let lastStep: StepReport | undefined;
    let lastEval: EvalReport | undefined;
    const result = (reason: TrainResult["reason"], detail?: string): TrainResult => ({
      reason,
      ...(detail === undefined ? {} : { detail }),
      step: this.step,
      tokensSeen: this.tokensSeen,
      ...(lastStep === undefined ? {} : { lastStep }),
      ...(lastEval === undefined ? {} : { lastEval }),
    });

    while (!this.budgetSpent()) {
      // Yield to the event loop so that timers and abort signals can fire between steps.
      await new Promise((resolve) => setImmediate(resolve));
      if (this.stopRequested()) return result("stopped", "stop signal received");
      const outcome = this.trainStep();
      if ("diverged" in outcome) return result("diverged", outcome.diverged);
      lastStep = outcome;
      await onStep?.(outcome);
      if (evalEvery !== undefined && this.step % evalEvery === 0) {
        lastEval = this.evaluate();
        await onEval?.(lastEval);
      }
    }
    if (evalEvery !== undefined && lastEval?.step !== this.step) {
      lastEval = this.evaluate();
      await onEval?.(lastEval);
    }
    return result("budget");
  }

  /**
   * One optimizer update at the scheduled learning rate, or at `learningRate` when given (the LR
   * range test sets its own); reports it, or why it diverged (then the weights are left unchanged).
   */
  trainStep(learningRate = this.scheduledLearningRate()): StepReport | { diverged: string } {
    const { model, optimizer, maxGradNorm } = this.options;
    const growing = this.noiseScaleBatch;
    const started = performance.now();
    const count = growing?.microbatches ?? this.options.accumulationSteps ?? 1;
    const { batches, seeds } = this.nextBatches(count);
    const tokens = batches.reduce((sum, batch) => sum + batch.inputs.length, 0);

    const { loss, gradNorm, firstNorm, diverged } = tf.tidy(() => {
      // A growing batch measures the noise scale on the step's own microbatches.
      const measure = growing !== undefined;
      const { loss, gradients, firstNorm } = averagedGradients(model, batches, seeds, measure);
      const clipped =
        maxGradNorm === undefined
          ? { gradients, norm: globalNorm(gradients) }
          : clipByGlobalNorm(gradients, maxGradNorm);
      const [lossValue, normValue] = [loss.dataSync()[0] ?? NaN, clipped.norm.dataSync()[0] ?? NaN];
      const diverged = this.divergence(lossValue, normValue);
      if (diverged === undefined) optimizer.apply(clipped.gradients, learningRate);
      return {
        loss: lossValue,
        gradNorm: normValue,
        firstNorm: firstNorm?.dataSync()[0],
        diverged,
      };
    });
    if (diverged !== undefined) return { diverged };

    this.initialLoss ??= loss;
    this.step += 1;
    this.tokensSeen += tokens;
    if (firstNorm !== undefined) growing?.observe(count, firstNorm ** 2, gradNorm ** 2);
    const seconds = (performance.now() - started) / 1000;
    return {
      step: this.step,
      tokensSeen: this.tokensSeen,
      trainLoss: loss,
      learningRate,
      gradNorm,
      tokensPerSecond: tokens / seconds,
      ...(growing && { batchSize: count * growing.options.microbatchSize }),
      ...(growing?.noiseScale !== undefined && { noiseScale: growing.noiseScale }),
    };
  }

  /**
   * The global norm of the mean gradient over `microbatches` fresh training batches, at the current
   * weights and without an update (the gradient noise scale compares it at two batch sizes).
   */
  gradientNorm(microbatches: number): number {
    const { batches, seeds } = this.nextBatches(microbatches);
    return tf.tidy(
      () =>
        globalNorm(averagedGradients(this.options.model, batches, seeds).gradients).dataSync()[0] ??
        Number.NaN,
    );
  }

  /**
   * Mean validation loss (weighted by the targets trained on, or by rows for a classifier),
   * perplexity, accuracy.
   */
  evaluate(): EvalReport {
    const { model, validation } = this.options;
    if (validation === undefined) throw new Error("evaluate needs validation batches");
    const { loss, accuracy } = validationMetrics(model, validation());
    return {
      step: this.step,
      tokensSeen: this.tokensSeen,
      validationLoss: loss,
      perplexity: Math.exp(loss),
      ...(accuracy === undefined ? {} : { accuracy }),
    };
  }

  private scheduledLearningRate(): number {
    const { learningRate } = this.options;
    const schedule = this.options.schedule ?? { kind: "constant", warmupSteps: 0 };
    if (this.noiseScaleBatch !== undefined) {
      return this.noiseScaleBatch.learningRate(schedule, learningRate, this.tokensSeen);
    }
    return learningRateAt(schedule, learningRate, this.step);
  }

  /** Training batches with a dropout seed each. */
  private nextBatches(count: number): { batches: Batch[]; seeds: number[] } {
    const batches = Array.from({ length: count }, () => this.options.train.next());
    return { batches, seeds: batches.map(() => this.random.nextUint32()) };
  }

  private budgetSpent(): boolean {
    const { budget } = this.options;
    return "steps" in budget ? this.step >= budget.steps : this.tokensSeen >= budget.tokens;
  }

  private stopRequested(): boolean {
    const { stop } = this.options;
    if (stop === undefined) return false;
    return typeof stop === "function" ? stop() : stop.aborted;
  }

  private divergence(loss: number, gradNorm: number): string | undefined {
    if (!Number.isFinite(loss)) return `training loss is ${loss} at step ${this.step + 1}`;
    if (!Number.isFinite(gradNorm)) return `gradient norm is ${gradNorm} at step ${this.step + 1}`;
    const factor = this.options.divergenceFactor ?? 3;
    if (this.initialLoss !== undefined && loss > factor * this.initialLoss) {
      return `training loss ${loss.toFixed(4)} at step ${this.step + 1} exceeds ${factor} × the first step's ${this.initialLoss.toFixed(4)}`;
    }
    return undefined;
  }
}

function checkOptions(options: TrainerOptions) {
  const { budget, accumulationSteps, evalEvery, validation, maxGradNorm } = options;
  const amount = "steps" in budget ? budget.steps : budget.tokens;
  if (!Number.isInteger(amount) || amount < 1) {
    throw new Error(`the training budget must be a positive whole number, got ${amount}`);
  }
  if (
    accumulationSteps !== undefined &&
    !(Number.isInteger(accumulationSteps) && accumulationSteps >= 1)
  ) {
    throw new Error(`accumulationSteps must be a positive whole number, got ${accumulationSteps}`);
  }
  if (evalEvery !== undefined && !(Number.isInteger(evalEvery) && evalEvery >= 1)) {
    throw new Error(`evalEvery must be a positive whole number, got ${evalEvery}`);
  }
  if (evalEvery !== undefined && validation === undefined) {
    throw new Error("evalEvery is set but no validation batches were given");
  }
  if (maxGradNorm !== undefined && !(maxGradNorm > 0)) {
    throw new Error(`maxGradNorm must be positive, got ${maxGradNorm}`);
  }
  if (!(options.learningRate > 0)) {
    throw new Error(`the learning rate must be positive, got ${options.learningRate}`);
  }
}
