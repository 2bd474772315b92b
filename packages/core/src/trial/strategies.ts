/**
 * The tuning strategies that other tuners leave to the user (the LR range test and the three ways
 * to choose a batch size), run with the real trainer on a dataset and a trial's flat settings, the
 * way a runner runs them as jobs of their own. Each trains fresh models seeded as a trial is (given
 * a pretrained model, from its weights, architecture and tokenizer, as a trial starts), hands the
 * algorithm in tuning/strategies the callback it needs, frees every tensor however it ends, and
 * returns the algorithm's result as plain data (where a loss diverged to NaN or infinity, JSON has
 * null).
 *
 * A stored run's settings are a StrategyRequest (strategy-request.ts); runStrategy runs the
 * strategy its kind names.
 */
import type { Fold } from "../data/batches.ts";
import type { TextDataset } from "../data/text-dataset.ts";
import type { ModelFiles } from "../model/hf-folder.ts";
import { disposeWithBase } from "../train/finetune.ts";
import { type Budget, Trainer } from "../train/trainer.ts";
import {
  type CrossValidatedBatchSize,
  crossValidateBatchSizes,
  type GradientNoiseScale,
  measureGradientNoiseScale,
  type SweepPoint,
  sweepBatchSizes,
} from "../tuning/strategies/batch-size.ts";
import {
  type LrRangeResult,
  type LrRangeTestOptions,
  lrRangeTest,
} from "../tuning/strategies/lr-range-test.ts";
import { readBaseModel } from "./base-model.ts";
import { objectiveValue } from "./metrics.ts";
import { freshStart, runTrial, stopRequested, trialSeeds } from "./run.ts";
import {
  buildTrialPlan,
  parseTrialSettings,
  type TrialSettingsInput,
  type TrialTask,
} from "./settings.ts";
import type { StrategyOptions, StrategyRequest } from "./strategy-request.ts";
import { prepareData } from "./task-data.ts";

export interface StrategyInput {
  task: TrialTask;
  dataset: TextDataset;
  /** A trial's settings: the model, optimizer and batches the strategy trains with. */
  settings: TrialSettingsInput;
  /** Seeds the weights, the batches and dropout, as a trial's seed does. */
  seed: number;
  /**
   * A pretrained model's Hugging Face folder to start from, as a trial's `baseModel`: its
   * architecture and tokenizer replace the settings', its weights the random start.
   */
  baseModel?: ModelFiles;
  /** Checked between steps: an aborted signal, or a function returning true, stops the strategy. */
  stop?: AbortSignal | (() => boolean);
}

/** A strategy was stopped by its stop signal before it had a result. */
export class StrategyStoppedError extends Error {
  constructor(strategy: string) {
    super(`the ${strategy} was stopped before it finished`);
    this.name = "StrategyStoppedError";
  }
}

export type StrategyResult =
  | LrRangeResult
  | Awaited<ReturnType<typeof runBatchSizeCrossValidation>>
  | Awaited<ReturnType<typeof runBatchSizeSweep>>
  | GradientNoiseScale;

/**
 * Runs the strategy a checked request names, on the dataset and, when the request names a model,
 * that model's files.
 */
export async function runStrategy(
  request: StrategyRequest,
  run: Pick<StrategyInput, "dataset" | "baseModel" | "stop">,
): Promise<StrategyResult> {
  if ((request.model === undefined) !== (run.baseModel === undefined)) {
    throw new Error(
      request.model === undefined
        ? "the strategy was given a model's files, but its request names no model"
        : `the strategy starts from model "${request.model}", but was given none of its files`,
    );
  }
  const input: StrategyInput = {
    ...run,
    task: request.task,
    settings: request.trial,
    seed: request.seed,
  };
  switch (request.kind) {
    case "lr-range-test":
      return runLrRangeTest(input, request.options);
    case "batch-size-cross-validation":
      return runBatchSizeCrossValidation(input, request.options);
    case "batch-size-sweep":
      return runBatchSizeSweep(input, request.options);
    case "gradient-noise-scale":
      return runGradientNoiseScale(input, request.options);
  }
}

/** Smith's LR range test: one model trained a step at each LR, from minLr up to maxLr. */
export async function runLrRangeTest(
  input: StrategyInput,
  options: LrRangeTestOptions,
): Promise<LrRangeResult> {
  return withTrainer(input, { steps: options.steps }, (trainer) =>
    lrRangeTest(async (lr) => {
      await checkStop(input, "LR range test");
      const outcome = trainer.trainStep(lr);
      // A non-finite loss or gradient is the explosion the test looks for; the step was not taken.
      return "diverged" in outcome ? Number.NaN : outcome.trainLoss;
    }, options),
  );
}

/**
 * k-fold cross-validation of batch sizes at an equal token budget: each candidate and fold trains a
 * fresh model on the other folds and is scored by its loss on the held-out one. A candidate is one
 * whole batch: accumulation_steps is set to 1.
 */
export async function runBatchSizeCrossValidation(
  input: StrategyInput,
  options: StrategyOptions<"batch-size-cross-validation">,
): Promise<{ recommended: number; candidates: CrossValidatedBatchSize[] }> {
  const sequenceLength = parseTrialSettings(input.settings).seq_len;
  return crossValidateBatchSizes(
    ({ batchSize, fold, steps }) =>
      validationLossAfter(input, { batch_size: batchSize }, steps, {
        index: fold,
        count: options.folds,
      }),
    { ...options, sequenceLength },
  );
}

/**
 * A range sweep of batch sizes, each trained from scratch on the same token budget with the LR
 * scaled from the base by the scaling rule. A candidate is one whole batch: accumulation_steps is
 * set to 1.
 */
export async function runBatchSizeSweep(
  input: StrategyInput,
  options: StrategyOptions<"batch-size-sweep">,
): Promise<{ recommended: number; curve: SweepPoint[] }> {
  const settings = parseTrialSettings(input.settings);
  return sweepBatchSizes(
    ({ batchSize, lr }) =>
      validationLossAfter(
        input,
        { batch_size: batchSize, lr },
        Math.ceil(options.tokenBudget / (batchSize * settings.seq_len)),
      ),
    {
      ...options,
      baseBatchSize: options.baseBatchSize ?? settings.batch_size,
      baseLr: options.baseLr ?? settings.lr,
    },
  );
}

/**
 * McCandlish et al.'s gradient noise scale: a model trained for trainSteps at batch size
 * smallBatch, then squared gradient norms measured there, over smallBatch samples and over bigBatch
 * (the mean of bigBatch / smallBatch batches, so memory holds one small batch at a time).
 */
export async function runGradientNoiseScale(
  input: StrategyInput,
  options: StrategyOptions<"gradient-noise-scale">,
): Promise<GradientNoiseScale> {
  const { smallBatch, bigBatch, trainSteps } = options;
  // Checked before training, which the algorithm's own check would only follow.
  if (!(bigBatch > smallBatch && bigBatch % smallBatch === 0)) {
    throw new Error(
      `bigBatch ${bigBatch} must be a multiple of smallBatch ${smallBatch}, above it`,
    );
  }
  const atSmallBatch = { ...input, settings: { ...input.settings, batch_size: smallBatch } };
  return withTrainer(atSmallBatch, { steps: trainSteps }, async (trainer) => {
    const trained = await trainer.run();
    if (trained.reason === "stopped") throw new StrategyStoppedError("gradient noise scale");
    if (trained.reason === "diverged") {
      throw new Error(`training before the gradient noise scale diverged: ${trained.detail}`);
    }
    return measureGradientNoiseScale(async (batchSize) => {
      await checkStop(input, "gradient noise scale");
      return trainer.gradientNorm(batchSize / smallBatch) ** 2;
    }, options);
  });
}

/** A fresh trial's last validation loss with some settings changed, after `steps` steps. */
async function validationLossAfter(
  input: StrategyInput,
  changes: TrialSettingsInput,
  steps: number,
  fold?: Fold,
): Promise<number> {
  const outcome = await runTrial({
    ...input,
    // Only the loss at the end counts, so that is the one evaluation.
    settings: { ...input.settings, accumulation_steps: 1, eval_every: steps, ...changes },
    budget: { steps },
    fold,
  });
  if (outcome.reason === "stopped") throw new StrategyStoppedError("batch-size strategy");
  // A batch size (or its LR) that diverges is the worst candidate, not a failure of the strategy.
  if (outcome.reason === "diverged") return Number.POSITIVE_INFINITY;
  return objectiveValue("val_loss", outcome.metrics);
}

/**
 * A fresh model (or the pretrained base), optimizer and training batches for the settings, as a
 * trial starts, driven by `use` through a Trainer; freed however `use` ends.
 */
async function withTrainer<T>(
  input: StrategyInput,
  budget: Budget,
  use: (trainer: Trainer) => Promise<T>,
): Promise<T> {
  const baseModel = input.baseModel && readBaseModel(input.baseModel);
  const plan = buildTrialPlan(input.settings, { ...input, budget, baseModel });
  const seeds = trialSeeds(input.seed);
  const data = prepareData(plan, input.dataset, seeds.sampler);
  const { model, optimizer } = freshStart(plan, seeds.model, baseModel);
  try {
    const trainer = new Trainer({
      model,
      optimizer,
      train: data.train,
      budget: plan.budget,
      learningRate: plan.learningRate,
      schedule: plan.schedule,
      maxGradNorm: plan.maxGradNorm,
      accumulationSteps: plan.accumulationSteps,
      seed: seeds.dropout,
      // The strategies judge the losses themselves: the LR range test wants to see them explode.
      divergenceFactor: Number.POSITIVE_INFINITY,
      stop: input.stop,
    });
    return await use(trainer);
  } finally {
    // A fine-tuned model's frozen base is freed with it.
    disposeWithBase(model);
    optimizer.dispose();
  }
}

/** Lets a stop message arrive (it needs the event loop), then throws if a stop was asked for. */
async function checkStop(input: StrategyInput, strategy: string): Promise<void> {
  await new Promise((resolve) => setImmediate(resolve));
  if (stopRequested(input.stop)) throw new StrategyStoppedError(strategy);
}
