/**
 * One trial from start to finish, as a runner's worker thread runs it: plan it from its settings,
 * prepare the data, build the model and optimizer (or restore them from a checkpoint), train while
 * passing on the trainer's reports (metrics.ts names their values by key), save "last" and "best"
 * checkpoints, and free every tensor however it ends, so that one worker can run many trials.
 */
import type { Fold } from "../data/batches.ts";
import { type GenerationMetricKey, generationMetrics } from "../eval/metric-definitions.ts";
import { createGPT, type GPT } from "../model/gpt.ts";
import type { ModelFiles } from "../model/hf-folder.ts";
import { Random } from "../random.ts";
import { checkpointConfigs, loadCheckpoint, saveCheckpoint } from "../train/checkpoint.ts";
import { disposeWithBase, finetuneModel } from "../train/finetune.ts";
import { Optimizer } from "../train/optimizers.ts";
import {
  type Budget,
  type EvalReport,
  type StepReport,
  Trainer,
  type TrainerState,
  type TrainResult,
} from "../train/trainer.ts";
import { isBetter } from "../tuning/pruners/pruner.ts";
import type { Objective } from "../tuning/spec.ts";
import { type BaseModel, loadBaseWeights, readBaseModel } from "./base-model.ts";
import { TrialConfigError } from "./config-error.ts";
import { evaluateGenerations, MAX_LABELS } from "./generation-eval.ts";
import { isEvaluationMetric, type TrialMetrics } from "./metric-definitions.ts";
import {
  baselineMetrics,
  checkObjectives,
  evaluationMetrics,
  modelMetrics,
  stepMetrics,
} from "./metrics.ts";
import { changeableOnResume } from "./resume-settings.ts";
import {
  buildTrialPlan,
  inSettingNames,
  settingName,
  type TrialDataset,
  type TrialPlan,
  type TrialSettingsInput,
  type TrialTask,
} from "./settings.ts";
import type { BaseCache, TrialBase } from "./shared-base.ts";
import { prepareData, type TrialData } from "./task-data.ts";

/** What onEval resolves to; nothing means "continue". */
export type EvalVerdict = "continue" | "stop";

export interface TrialCheckpoint {
  bytes: Uint8Array;
  step: number;
  kind: "last" | "best";
}

export interface TrialRunOptions {
  task: TrialTask;
  /** Text for language modelling and classification; instruction data for instruction and dialogue. */
  dataset: TrialDataset;
  /** The study's fixed settings merged with the sampled parameters. */
  settings: TrialSettingsInput;
  budget: Budget;
  /** Seeds the weights, the batches and dropout. */
  seed: number;
  /** Cross-validation: validate on this fold of the data, train on the rest (no validation_fraction). */
  fold?: Fold;
  /**
   * The study's (first) objective, default val_loss minimised: it decides the "best" checkpoint
   * when evaluations measure it, else val_loss does.
   */
  objective?: Objective;
  /** A checkpoint of an earlier attempt of this trial: training continues from its step. */
  resumeFrom?: Uint8Array;
  /**
   * A pretrained model's Hugging Face folder to start from (the study's `model`): its architecture
   * and tokenizer replace the settings', its weights the random start.
   */
  baseModel?: ModelFiles;
  /**
   * Where this thread keeps `baseModel`'s weights between trials, under the model's content hash:
   * a LoRA or freeze trial of the same model then shares them instead of building its own.
   */
  baseCache?: { cache: BaseCache; contentHash: string };
  /** Save a "last" checkpoint every this many steps (and always at the end). */
  checkpointEvery?: number;
  /** Checked between steps: an aborted signal, or a function returning true, stops training. */
  stop?: AbortSignal | (() => boolean);
  onStep?: (report: StepReport) => void | Promise<void>;
  /** Resolving to "stop" stops training before the next step (the runner asks its pruner here). */
  // biome-ignore lint/suspicious/noConfusingVoidType: a callback that returns nothing means "continue".
  onEval?: (report: EvalReport) => EvalVerdict | void | Promise<EvalVerdict | void>;
  onCheckpoint?: (checkpoint: TrialCheckpoint) => void | Promise<void>;
  /**
   * The validation data's frequency baseline (baselineMetrics), once before training, on every
   * attempt: a resumed trial reports the same values again.
   */
  onBaseline?: (metrics: TrialMetrics) => void | Promise<void>;
}

export interface TrialOutcome {
  reason: TrainResult["reason"];
  /** Why it stopped or diverged, in words. */
  detail?: string;
  step: number;
  tokensSeen: number;
  /** The last step's and the last evaluation's metrics, the model's, and the mean tokens_per_s. */
  metrics: TrialMetrics;
  parameterCount: number;
}

/** What a checkpoint carries besides the Trainer's state, in its sampler field. */
interface ResumeState {
  sampler: unknown;
  /** The best checkpoint's value so far; null before the first evaluation (NaN is not JSON). */
  bestValue: number | null;
  /** Time spent in training steps over all attempts, for the trial's mean throughput. */
  trainingSeconds: number;
}

export async function runTrial(options: TrialRunOptions): Promise<TrialOutcome> {
  const objective = options.objective ?? { metric: "val_loss", direction: "minimize" };
  checkObjectives([objective], options.task);
  const { checkpointEvery } = options;
  if (
    checkpointEvery !== undefined &&
    !(Number.isInteger(checkpointEvery) && checkpointEvery >= 1)
  ) {
    throw new Error(`checkpointEvery must be a positive whole number, got ${checkpointEvery}`);
  }
  const baseModel = options.baseModel && readBaseModel(options.baseModel);
  const plan = buildTrialPlan(options.settings, { ...options, baseModel });
  const seeds = trialSeeds(options.seed);
  const data = prepareData(plan, options.dataset, seeds.sampler, options.fold);
  checkGenerationObjective(objective, data);
  await options.onBaseline?.(baselineMetrics(data.validation));
  const start =
    options.resumeFrom === undefined
      ? freshStart(plan, seeds.model, baseModel, options.baseCache)
      : resumedStart(options.resumeFrom, plan, seeds.model, baseModel, options.baseCache);
  try {
    return await train(plan, data, start, {
      ...options,
      objective,
      dropoutSeed: seeds.dropout,
      // A random base is rebuilt from its seed; a pretrained one is the study's model.
      baseSeed: baseModel ? undefined : seeds.model,
    });
  } finally {
    disposeWithBase(start.model, start.shared);
    start.optimizer.dispose();
  }
}

/** The seeds of a trial's weights, batches and dropout, drawn from its one seed. */
export function trialSeeds(seed: number) {
  const seeds = new Random(seed);
  return { model: seeds.nextUint32(), sampler: seeds.nextUint32(), dropout: seeds.nextUint32() };
}

interface Start {
  model: GPT;
  /** The weights of a base that other trials share: never disposed here. */
  shared?: GPT;
  optimizer: Optimizer;
  resumed?: { trainer: TrainerState; state: ResumeState };
}

/**
 * The weights a trial starts from: a pretrained base's, kept in `cache` when given, or random ones
 * from the seed.
 */
function initialModel(
  plan: TrialPlan,
  seed: number,
  base: BaseModel | undefined,
  cache: TrialRunOptions["baseCache"],
): TrialBase {
  if (base === undefined) return { model: createGPT(plan.model, seed) };
  const load = () => loadBaseWeights(base.files, plan.model);
  if (cache === undefined) return { model: load() };
  const start = cache.cache.start(cache.contentHash, plan.finetune, load);
  // The kept base may have been built for a trial of another dropout, the one setting it takes.
  return { ...start, model: { ...start.model, config: plan.model } };
}

export function freshStart(
  plan: TrialPlan,
  seed: number,
  base?: BaseModel,
  cache?: TrialRunOptions["baseCache"],
): Start {
  const initial = initialModel(plan, seed, base, cache);
  const model = finetuneModel(initial.model, plan.finetune, seed);
  return {
    model,
    ...(initial.shared && { shared: initial.shared }),
    optimizer: new Optimizer(plan.optimizer, model.parameters),
  };
}

function resumedStart(
  bytes: Uint8Array,
  plan: TrialPlan,
  seed: number,
  baseModel: BaseModel | undefined,
  cache: TrialRunOptions["baseCache"],
): Start {
  // Settings that only scale updates (changeableOnResume) may differ from the checkpoint's: the
  // trial's own win, as population-based training changes them between rounds.
  const saved = checkpointConfigs(bytes);
  const problems = [
    ...differences("model", saved.model, plan.model),
    ...differences("optimizer", saved.optimizer, plan.optimizer),
    ...(saved.finetune.mode === plan.finetune.mode
      ? []
      : [`it was trained with finetune ${saved.finetune.mode}, not ${plan.finetune.mode}`]),
  ];
  if (problems.length > 0) {
    throw new Error(
      `the checkpoint to resume from does not fit this trial: ${problems.join("; ")}`,
    );
  }
  // A fine-tuned trial's checkpoint holds the trained weights alone: its base is the trial's own
  // initial model, loaded or rebuilt from the same seed (loadCheckpoint checks its hash).
  const base =
    plan.finetune.mode === "full" ? undefined : initialModel(plan, seed, baseModel, cache);
  const rebuildWith = { model: plan.model, optimizer: plan.optimizer, finetune: plan.finetune };
  let restored: ReturnType<typeof loadCheckpoint>;
  try {
    restored = loadCheckpoint(bytes, rebuildWith, base?.model);
  } catch (error) {
    if (base !== undefined) disposeWithBase(base.model, base.shared);
    throw error;
  }
  const state = restored.sampler as ResumeState | null;
  if (JSON.stringify(restored.tokenizer) !== JSON.stringify(plan.tokenizer.toJSON())) {
    problems.push("its tokenizer is not the one these settings build from this dataset");
  }
  if (typeof state?.trainingSeconds !== "number") {
    problems.push("it was not saved by runTrial (it has no trial state)");
  }
  if (problems.length > 0) {
    disposeWithBase(restored.model, base?.shared);
    restored.optimizer.dispose();
    throw new Error(
      `the checkpoint to resume from does not fit this trial: ${problems.join("; ")}`,
    );
  }
  return {
    model: restored.model,
    ...(base?.shared && { shared: base.shared }),
    optimizer: restored.optimizer,
    resumed: { trainer: restored.trainer, state: state as ResumeState },
  };
}

/** Fields of two flat configs that differ and may not change on resume, in setting names. */
function differences(
  part: "model" | "optimizer",
  a: Record<string, unknown>,
  b: Record<string, unknown>,
): string[] {
  const fields = new Set([...Object.keys(a), ...Object.keys(b)]);
  const setting = (field: string) =>
    part === "optimizer" && field === "kind" ? "optimizer" : settingName(field);
  return [...fields]
    .filter((field) => a[field] !== b[field] && !changeableOnResume(setting(field)))
    .map((field) =>
      inSettingNames(`its ${part}'s ${field} is ${a[field]}, the settings give ${b[field]}`),
    );
}

async function train(
  plan: TrialPlan,
  data: TrialData,
  start: Start,
  options: TrialRunOptions & { objective: Objective; dropoutSeed: number; baseSeed?: number },
): Promise<TrialOutcome> {
  const { model, optimizer, resumed } = start;
  const { checkpointEvery } = options;
  const best = bestCheckpointCriterion(options.objective);
  let bestValue = resumed?.state.bestValue ?? Number.NaN;
  let trainingSeconds = resumed?.state.trainingSeconds ?? 0;
  let tokensSeen = resumed?.trainer.tokensSeen ?? 0;
  let lastSavedStep = resumed?.trainer.step;
  let lastStep: TrialMetrics = {};
  let lastEval: TrialMetrics = {};
  /** Set when an evaluation ends training: its verdict was "stop", or its loss is not finite. */
  let earlyEnd: { reason: "stopped" | "diverged"; detail: string } | undefined;
  const fixedMetrics = modelMetrics(model.config);

  const finalMetrics = (): TrialMetrics => ({
    ...fixedMetrics,
    ...lastStep,
    ...(trainingSeconds > 0 ? { tokens_per_s: trainer.tokensSeen / trainingSeconds } : {}),
    ...lastEval,
  });

  const save = async (kind: TrialCheckpoint["kind"]) => {
    if (options.onCheckpoint === undefined) return;
    const state: ResumeState = {
      sampler: data.train.getState(),
      bestValue: Number.isNaN(bestValue) ? null : bestValue,
      trainingSeconds,
    };
    const bytes = await saveCheckpoint({
      model,
      optimizer,
      trainer: trainer.getState(),
      sampler: state,
      tokenizer: plan.tokenizer.toJSON(),
      finetune: plan.finetune,
      baseSeed: options.baseSeed,
    });
    if (kind === "last") lastSavedStep = trainer.step;
    await options.onCheckpoint({ bytes, step: trainer.step, kind });
  };
  const checkpointDue = (step: number) =>
    checkpointEvery !== undefined && step % checkpointEvery === 0;
  // The trainer evaluates every evalEvery steps and once more at the budget's last step.
  const evaluatesAt = (step: number) => step % plan.evalEvery === 0 || step === plan.steps;

  const trainer = new Trainer({
    model,
    optimizer,
    train: data.train,
    validation: () => data.validation,
    budget: plan.budget,
    learningRate: plan.learningRate,
    schedule: plan.schedule,
    maxGradNorm: plan.maxGradNorm,
    accumulationSteps: plan.accumulationSteps,
    noiseScaleBatch: plan.noiseScaleBatch,
    evalEvery: plan.evalEvery,
    seed: options.dropoutSeed,
    stop: () => earlyEnd !== undefined || stopRequested(options.stop),
    onStep: async (report) => {
      // A step's tokens vary when the batch grows.
      trainingSeconds += (report.tokensSeen - tokensSeen) / report.tokensPerSecond;
      tokensSeen = report.tokensSeen;
      lastStep = stepMetrics(report);
      await options.onStep?.(report);
      // At an evaluation step the checkpoint waits for the evaluation, which a resumed run would skip.
      if (checkpointDue(report.step) && !evaluatesAt(report.step)) await save("last");
    },
    onEval: async (lossReport) => {
      if (!Number.isFinite(lossReport.validationLoss)) {
        earlyEnd = {
          reason: "diverged",
          detail: `validation loss is ${lossReport.validationLoss} at step ${lossReport.step}`,
        };
        return;
      }
      const report =
        data.generation === undefined
          ? lossReport
          : {
              ...lossReport,
              ...evaluateGenerations(model, plan.tokenizer, data.generation, options.seed),
            };
      const metrics: TrialMetrics = evaluationMetrics(report);
      lastEval = metrics;
      if ((await options.onEval?.(report)) === "stop") {
        earlyEnd = {
          reason: "stopped",
          detail: `stopped by the evaluation at step ${report.step}`,
        };
      }
      const value = metrics[best.metric];
      if (value !== undefined && isBetter(value, bestValue, best.direction)) {
        bestValue = value;
        await save("best");
      }
      if (checkpointDue(report.step)) await save("last");
    },
  });
  if (resumed !== undefined) {
    trainer.setState(resumed.trainer);
    data.train.setState(resumed.state.sampler);
  }

  const result = await trainer.run();
  // An evaluation's verdict yields to a spent budget; its divergence does not.
  const ending =
    earlyEnd !== undefined && (earlyEnd.reason === "diverged" || result.reason === "stopped")
      ? earlyEnd
      : result;
  // A diverged trial is not resumed: it fails.
  if (ending.reason !== "diverged" && trainer.step !== lastSavedStep) await save("last");
  return {
    reason: ending.reason,
    ...(ending.detail === undefined ? {} : { detail: ending.detail }),
    step: trainer.step,
    tokensSeen: trainer.tokensSeen,
    metrics: finalMetrics(),
    parameterCount: fixedMetrics.param_count,
  };
}

/** A generation metric that these data's evaluations do not score (accuracy without labels). */
function checkGenerationObjective(objective: Objective, data: TrialData) {
  const { generation } = data;
  if (generation === undefined || !(objective.metric in generationMetrics)) return;
  if (!generation.metrics.includes(objective.metric as GenerationMetricKey)) {
    throw new TrialConfigError([
      `objective metric "${objective.metric}" needs completions that are labels (at most ${MAX_LABELS} distinct ones, each example's completion one of them); this dataset's are free text, scored by ${generation.metrics.join(", ")}`,
    ]);
  }
}

/** The objective when evaluations measure it, else the validation loss. */
function bestCheckpointCriterion(objective: Objective) {
  if (isEvaluationMetric(objective.metric)) {
    return { metric: objective.metric, direction: objective.direction };
  }
  return { metric: "val_loss" as const, direction: "minimize" as const };
}

export function stopRequested(stop: TrialRunOptions["stop"]): boolean {
  return typeof stop === "function" ? stop() : stop?.aborted === true;
}
