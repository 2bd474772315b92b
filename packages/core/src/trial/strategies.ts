/**
 * The tuning strategies that other tuners leave to the user (the LR range test and the three ways
 * to choose a batch size), run with the real trainer on a dataset and a trial's flat settings, the
 * way a runner runs them as jobs of their own. Each trains fresh models seeded as a trial is, hands
 * the algorithm in tuning/strategies the callback it needs, frees every tensor however it ends, and
 * returns the algorithm's result as plain data (where a loss diverged to NaN or infinity, JSON has
 * null).
 *
 * A stored run's settings are a StrategyRequest: parseStrategyRequest checks them, naming every
 * problem, and runStrategy runs the strategy its kind names.
 */
import { z } from "zod";
import type { Fold } from "../data/batches.ts";
import type { TextDataset } from "../data/text-dataset.ts";
import { disposeGPT } from "../model/gpt.ts";
import { type Budget, Trainer } from "../train/trainer.ts";
import { paramValueSchema } from "../tuning/space.ts";
import { studySpecSchema } from "../tuning/spec.ts";
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
import { TrialConfigError } from "./config-error.ts";
import { objectiveValue } from "./metrics.ts";
import { freshStart, runTrial, stopRequested, trialSeeds } from "./run.ts";
import {
  buildTrialPlan,
  parseTrialSettings,
  type TrialSettingsInput,
  type TrialTask,
} from "./settings.ts";
import { prepareData } from "./task-data.ts";

export interface StrategyInput {
  task: TrialTask;
  dataset: TextDataset;
  /** A trial's settings: the model, optimizer and batches the strategy trains with. */
  settings: TrialSettingsInput;
  /** Seeds the weights, the batches and dropout, as a trial's seed does. */
  seed: number;
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

const count = (min: number) => z.number().int({ error: "must be a whole number" }).min(min);
const batchSizes = z.array(count(1)).min(1, { error: "needs at least one batch size" });
/** Tokens each candidate trains on, the same for all so that they compare fairly. */
const tokenBudget = count(1);

/** Each strategy's options, checked and defaulted; the algorithms check the rules across options. */
export const strategyOptionsSchemas = {
  "lr-range-test": z.strictObject({
    minLr: z.number().positive().default(1e-6),
    maxLr: z.number().positive().default(1),
    steps: count(2).default(100),
    smoothing: z.number().min(0).lt(1).optional(),
    divergeFactor: z.number().gt(1).optional(),
    skipStart: count(0).optional(),
    skipEnd: count(0).optional(),
  }),
  "batch-size-cross-validation": z.strictObject({
    batchSizes,
    folds: count(2).default(3),
    tokenBudget,
  }),
  "batch-size-sweep": z.strictObject({
    batchSizes,
    tokenBudget,
    /** Square root suits Adam(W), the default optimizer; linear suits SGD. */
    scaling: z.enum(["linear", "sqrt"]).default("sqrt"),
    /** Default: the settings' batch_size and lr. */
    baseBatchSize: count(1).optional(),
    baseLr: z.number().positive().optional(),
    tolerance: z.number().min(0).optional(),
  }),
  "gradient-noise-scale": z.strictObject({
    smallBatch: count(1),
    bigBatch: count(2),
    /** Pairs of measurements, averaged. */
    count: count(1).default(10),
    /** Steps trained at smallBatch before measuring: the noise scale at initialisation means little. */
    trainSteps: count(1).default(50),
  }),
};

export type StrategyKind = keyof typeof strategyOptionsSchemas;

export type StrategyOptions<K extends StrategyKind> = z.output<(typeof strategyOptionsSchemas)[K]>;

/** What a stored strategy run asks for: the trial it trains and the strategy's options. */
export type StrategyRequest = {
  [K in StrategyKind]: {
    kind: K;
    task: TrialTask;
    seed: number;
    /** A trial's flat settings, as a study's fixed settings. */
    trial: TrialSettingsInput;
    options: StrategyOptions<K>;
  };
}[StrategyKind];

/**
 * Checks a run's settings (`{ task?, seed?, trial?, options? }`) for a strategy, and the trial
 * settings within; throws a TrialConfigError naming every problem.
 */
export function parseStrategyRequest(kind: StrategyKind, settings: unknown): StrategyRequest {
  const options: z.ZodType = strategyOptionsSchemas[kind];
  const schema = z.strictObject({
    task: studySpecSchema.shape.task.default("language-modelling"),
    seed: count(0)
      .max(2 ** 32 - 1)
      .default(0),
    trial: z.record(z.string(), paramValueSchema).default({}),
    options: options.prefault({}),
  });
  const parsed = schema.safeParse(settings);
  if (!parsed.success) {
    throw new TrialConfigError(
      parsed.error.issues.map((issue) => {
        const path = issue.path.join(".");
        return path === "" ? issue.message : `${path}: ${issue.message}`;
      }),
    );
  }
  parseTrialSettings(parsed.data.trial);
  return { kind, ...parsed.data } as StrategyRequest;
}

export type StrategyResult =
  | LrRangeResult
  | Awaited<ReturnType<typeof runBatchSizeCrossValidation>>
  | Awaited<ReturnType<typeof runBatchSizeSweep>>
  | GradientNoiseScale;

/** Runs the strategy a checked request names. */
export async function runStrategy(
  request: StrategyRequest,
  dataset: TextDataset,
  stop?: StrategyInput["stop"],
): Promise<StrategyResult> {
  const input: StrategyInput = {
    task: request.task,
    dataset,
    settings: request.trial,
    seed: request.seed,
    stop,
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
 * A fresh model, optimizer and training batches for the settings, as a trial starts, driven by
 * `use` through a Trainer; freed however `use` ends.
 */
async function withTrainer<T>(
  input: StrategyInput,
  budget: Budget,
  use: (trainer: Trainer) => Promise<T>,
): Promise<T> {
  const plan = buildTrialPlan(input.settings, { ...input, budget });
  const seeds = trialSeeds(input.seed);
  const data = prepareData(plan, input.dataset, seeds.sampler);
  const { model, optimizer } = freshStart(plan, seeds.model);
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
    disposeGPT(model);
    optimizer.dispose();
  }
}

/** Lets a stop message arrive (it needs the event loop), then throws if a stop was asked for. */
async function checkStop(input: StrategyInput, strategy: string): Promise<void> {
  await new Promise((resolve) => setImmediate(resolve));
  if (stopRequested(input.stop)) throw new StrategyStoppedError(strategy);
}
