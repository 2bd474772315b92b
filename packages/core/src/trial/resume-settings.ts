/**
 * Which settings a trial may change when it resumes from a checkpoint, and why the others may not.
 * A resumed trial rebuilds its model and optimizer from the checkpoint's tensors, its data sampler
 * from the checkpoint's position, and its schedule from the step: a setting that only scales an
 * update (the learning rate and its schedule, the optimizer's constants, clipping, dropout) can
 * take a new value there; one that shapes the tensors, the optimizer's state, the batches or the
 * evaluations cannot. Population-based training mutates only the first kind (tuning/pbt/), and
 * runTrial's resume accepts exactly these changes.
 *
 * Free of TensorFlow.js: the spec's validation reads it.
 */
import type { SettingName } from "./settings-schema.ts";

const architecture =
  "it is part of the model's architecture, which the checkpoint's weights were trained for";
const dataPipeline =
  "it changes the data pipeline (which batches come next and how many tokens a step sees)";
const validation =
  "it changes the validation data, so evaluations before and after would not compare";
const generation =
  "it changes the completions evaluations generate, so their scores before and after would not compare";

/** Why each setting cannot change on resume; null where it can. Every setting is listed. */
const whyFixedOnResume: Record<SettingName, string | null> = {
  lr: null,
  schedule: null,
  warmup_steps: null,
  step_size: null,
  step_gamma: null,
  decay_rate: null,
  decay_steps: null,
  staircase: null,
  min_lr: null,
  pct_start: null,
  div_factor: null,
  final_div_factor: null,
  weight_decay: null,
  beta1: null,
  beta2: null,
  epsilon: null,
  momentum: null,
  grad_clip: null,
  dropout: null,
  seq_len: `${architecture} (the position table's length), and it sets the length of every batch`,
  layers: `${architecture} (the number of blocks)`,
  d_model: `${architecture} (the width of every weight)`,
  heads: `${architecture} (how attention splits the width)`,
  kv_heads: `${architecture} (the key and value projections' shapes)`,
  norm: `${architecture} (where the norms sit)`,
  normalization: `${architecture} (the norms' weights and what they compute)`,
  mlp_ratio: `${architecture} (the MLP's width)`,
  mlp_hidden: `${architecture} (the MLP's width)`,
  activation: `${architecture} (the function the MLP's weights were trained with)`,
  positions: `${architecture} (the positional scheme)`,
  rope_theta: `${architecture} (the rotary angles the weights were trained with)`,
  bias: `${architecture} (whether the projections have biases)`,
  tie_embeddings: `${architecture} (whether the output shares the embedding)`,
  tokenizer: "it sets the vocabulary: the embedding's shape and every token of the data",
  batch_size: dataPipeline,
  accumulation_steps: dataPipeline,
  batch_schedule: dataPipeline,
  max_batch_size: dataPipeline,
  batch_lr_scaling: "it goes with batch_schedule, which cannot change mid-training",
  eval_every: "it moves the evaluations at which a resumed trial is judged",
  eval_windows: validation,
  validation_fraction: validation,
  packing: dataPipeline,
  loss_on: "it changes which tokens the loss is on, so losses before and after would not compare",
  eval_examples: generation,
  max_new_tokens: generation,
  eval_decoding: generation,
  optimizer:
    "the checkpoint's optimizer state (Adam's moments, SGD's momentum) belongs to its optimizer",
  finetune: "it sets which weights train, the ones the checkpoint holds with their optimizer state",
  lora_r: "it is the adapters' shape, which the checkpoint's adapters were trained with",
  lora_alpha: "it scales the adapters' output: the adapted model's function, not only its updates",
  lora_dropout: null,
  lora_targets: "it sets which projections have adapters, the ones the checkpoint holds",
  lora_rslora: "it scales the adapters' output: the adapted model's function, not only its updates",
  freeze_trainable_blocks:
    "it sets which weights train, the ones the checkpoint holds with their optimizer state",
};

/**
 * Why the setting keeps its value when a trial resumes, in words that follow "cannot change
 * mid-training: "; undefined when it may change.
 */
export function fixedOnResumeReason(name: string): string | undefined {
  if (!Object.hasOwn(whyFixedOnResume, name)) return "it is not a trainer setting";
  return whyFixedOnResume[name as SettingName] ?? undefined;
}

/** Whether a resumed trial may take a new value of the setting. */
export function changeableOnResume(name: string): boolean {
  return fixedOnResumeReason(name) === undefined;
}
