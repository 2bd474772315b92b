// Which training setting a W&B sweep parameter sets. Sweeps name parameters as their training
// script does: Hugging Face's TrainingArguments (learning_rate, per_device_train_batch_size), PEFT's
// LoraConfig (r, lora_alpha, target_modules, often nested as `lora.r`), nanoGPT's (n_layer), or as
// the settings here do. Names and values are mapped onto the settings, each mapping reported; a name
// or value without a counterpart is left out with a warning, so that the import is a valid spec.
import type { LoraTarget } from "../model/lora-config.ts";
import { targetSets } from "../trial/finetune-settings.ts";
import { settingErrors } from "../trial/setting-errors.ts";
import { knownSettings, type SettingName } from "../trial/settings-schema.ts";
import type { ParamSpec } from "./space.ts";
import type { ParamValue } from "./types.ts";
import type { Raw } from "./wandb-distributions.ts";

/** A setting, or why the name has none. */
type Counterpart = SettingName | { none: string };

const BUDGET = "a trial's length is the study's budget (budget.stepsPerTrial or tokensPerTrial)";

/** Names with a counterpart under another name, or none, wherever they stand. */
const NAMES: Record<string, Counterpart> = {
  // Hugging Face TrainingArguments, and TRL's SFTConfig for max_seq_length.
  learning_rate: "lr",
  per_device_train_batch_size: "batch_size",
  train_batch_size: "batch_size",
  gradient_accumulation_steps: "accumulation_steps",
  max_grad_norm: "grad_clip",
  lr_scheduler_type: "schedule",
  optim: "optimizer",
  adam_beta1: "beta1",
  adam_beta2: "beta2",
  adam_epsilon: "epsilon",
  max_seq_length: "seq_len",
  warmup_ratio: { none: "warm-up is counted in steps here (warmup_steps)" },
  num_train_epochs: { none: BUDGET },
  epochs: { none: BUDGET },
  max_steps: { none: BUDGET },
  seed: { none: "the study's seed (the spec's `seed`) seeds every trial" },
  // PEFT's LoraConfig as training scripts take it, prefixed.
  lora_rank: "lora_r",
  lora_target_modules: "lora_targets",
  target_modules: "lora_targets",
  use_rslora: "lora_rslora",
  lora_bias: { none: "LoRA trains no biases here" },
  // nanoGPT's train.py.
  n_layer: "layers",
  n_head: "heads",
  n_embd: "d_model",
  block_size: "seq_len",
  warmup_iters: "warmup_steps",
  lr_decay_iters: "decay_steps",
  // Hugging Face model configs (Llama's).
  num_hidden_layers: "layers",
  hidden_size: "d_model",
  num_attention_heads: "heads",
  num_key_value_heads: "kv_heads",
  intermediate_size: "mlp_hidden",
};

/** Names that mean a setting only inside a parent of their kind: `lora.r`, `optimizer.name`. */
const SCOPED: { parent: RegExp; names: Record<string, Counterpart> }[] = [
  {
    parent: /lora|peft/i,
    names: {
      r: "lora_r",
      rank: "lora_r",
      alpha: "lora_alpha",
      dropout: "lora_dropout",
      targets: "lora_targets",
      rslora: "lora_rslora",
      bias: { none: "LoRA trains no biases here" },
    },
  },
  { parent: /^optim(izer)?$/i, names: { name: "optimizer", type: "optimizer" } },
];

/** Top-level names that are PEFT's unprefixed: `r` alone is LoRA's rank in HF sweeps. */
const TOP_LEVEL: Record<string, Counterpart> = { r: "lora_r" };

const settings: ReadonlySet<string> = new Set(knownSettings);

function counterpart(name: string): Counterpart | undefined {
  // W&B passes parameters as command-line flags, so scripts also spell them `lora-r`.
  const segments = name.replaceAll("-", "_").split(".");
  const leaf = segments.at(-1) as string;
  const parents = segments.slice(0, -1);
  for (const { parent, names } of SCOPED) {
    if (!parents.some((segment) => parent.test(segment))) continue;
    const scoped = names[leaf] ?? names[leaf.replace(/^lora_/, "")];
    if (scoped !== undefined) return scoped;
  }
  if (parents.length === 0 && TOP_LEVEL[leaf] !== undefined) return TOP_LEVEL[leaf];
  if (settings.has(leaf)) return leaf as SettingName;
  return NAMES[leaf];
}

/** A value in the setting's terms, or why it has none; undefined leaves it for the setting to check. */
type Translation = { value: ParamValue } | { none: string } | undefined;

const OPTIMIZERS: Record<string, string> = {
  adamw_torch: "adamw",
  adamw_torch_fused: "adamw",
  adamw_hf: "adamw",
  adamw_apex_fused: "adamw",
};
/** lr_scheduler_type's names; HF's linear, polynomial and the rest have no counterpart. */
const SCHEDULES: Record<string, string> = {
  constant_with_warmup: "constant",
  cosine_with_min_lr: "cosine",
};

const VALUES: Partial<Record<SettingName, (value: unknown) => Translation>> = {
  optimizer: (value) => renamed(OPTIMIZERS, value),
  schedule: (value) => renamed(SCHEDULES, value),
  lora_targets: loraTargetSet,
};

function renamed(table: Record<string, string>, value: unknown): Translation {
  const name = typeof value === "string" ? table[value] : undefined;
  return name === undefined ? undefined : { value: name };
}

/** The projections of each PEFT module name (a suffix of the modules' names), by core's names. */
const MODULES: Record<string, readonly LoraTarget[]> = {
  // GPT-2: c_attn computes query, key and value; c_proj is both attention's output and the MLP's.
  c_attn: ["query", "key", "value"],
  "attn.c_proj": ["attentionOutput"],
  "mlp.c_proj": ["mlpOut"],
  c_proj: ["attentionOutput", "mlpOut"],
  // GPT-2's MLP has no gate: adapting "the MLP's input" there is what mlp and all sets do.
  c_fc: ["mlpGate", "mlpIn"],
  // Llama, Mistral, Qwen.
  q_proj: ["query"],
  k_proj: ["key"],
  v_proj: ["value"],
  o_proj: ["attentionOutput"],
  gate_proj: ["mlpGate"],
  up_proj: ["mlpIn"],
  down_proj: ["mlpOut"],
};

const targetSetNames = Object.keys(targetSets);
/** attentionOutput as the lora_targets description writes it: attention_output. */
const snakeCase = (name: string) => name.replace(/[A-Z]/g, (letter) => `_${letter.toLowerCase()}`);

/** PEFT's target_modules (module names, one or a list, or all-linear) as the lora_targets set. */
function loraTargetSet(value: unknown): Translation {
  if (value === "all-linear") return { value: "all" };
  const modules = typeof value === "string" && value in MODULES ? [value] : value;
  if (!Array.isArray(modules)) return undefined;
  const projections = new Set<string>();
  for (const module of modules) {
    const segments = String(module).split(".");
    const found = MODULES[segments.slice(-2).join(".")] ?? MODULES[segments.at(-1) as string];
    if (found === undefined) return { none: `module ${JSON.stringify(module)} is not known here` };
    for (const projection of found) projections.add(projection);
  }
  const set = Object.entries(targetSets).find(
    ([, targets]) =>
      targets.length === projections.size &&
      targets.every((target: string) => projections.has(target)),
  );
  if (set !== undefined) return { value: set[0] };
  return {
    none: `its projections (${[...projections].map(snakeCase).join(", ")}) are none of lora_targets' sets (${targetSetNames.join(", ")})`,
  };
}

/**
 * The setting W&B parameter `name` sets, with its `value`/`values` in the setting's terms, or
 * undefined (with a warning) when it sets none or none of its values has a counterpart.
 */
export function mapParameter(
  name: string,
  raw: Raw,
  warnings: string[],
): { setting: SettingName; raw: Raw } | undefined {
  const found = counterpart(name);
  if (found === undefined || typeof found === "object") {
    const why =
      found?.none ??
      "it names no training setting (nor a Hugging Face, PEFT or nanoGPT name of one)";
    warnings.push(`parameter "${name}" is left out: ${why}`);
    return undefined;
  }
  if (found !== name) warnings.push(`${name} is mapped to ${found}`);
  const translate = VALUES[found];
  if (translate === undefined) return { setting: found, raw };
  const inSettingTerms = (value: unknown): unknown => {
    const translation = translate(value);
    if (translation === undefined) return value;
    const shown = JSON.stringify(value);
    if ("none" in translation) {
      warnings.push(`parameter "${name}": ${shown} is left out: ${translation.none}`);
      return undefined;
    }
    warnings.push(`parameter "${name}": ${shown} is mapped to ${translation.value}`);
    return translation.value;
  };
  const mapped = { ...raw };
  if (Array.isArray(raw.values)) {
    const values = raw.values.map(inSettingTerms).filter((value) => value !== undefined);
    if (values.length === 0) return undefined;
    mapped.values = values;
  }
  if (raw.value !== undefined) {
    mapped.value = inSettingTerms(raw.value);
    if (mapped.value === undefined) return undefined;
  }
  return { setting: found, raw: mapped };
}

/**
 * The parameter without what the setting refuses (a choice out of its range, a float range for a
 * whole-number setting), each with a warning; undefined when nothing is left.
 */
export function settingParameter(
  name: string,
  setting: SettingName,
  param: ParamSpec,
  warnings: string[],
): ParamSpec | undefined {
  const refused = (searchSpace: Record<string, ParamSpec>) =>
    settingErrors({ fixed: {}, searchSpace }).map((error) => error.message);
  if (param.type === "categorical") {
    const choices = param.choices.filter((choice) => {
      const problems = refused({ [setting]: { type: "fixed", value: choice } });
      for (const problem of problems) {
        warnings.push(`parameter "${name}": ${JSON.stringify(choice)} is left out: ${problem}`);
      }
      return problems.length === 0;
    });
    return choices.length === 0 ? undefined : { ...param, choices };
  }
  const problems = refused({ [setting]: param });
  for (const problem of problems) warnings.push(`parameter "${name}" is left out: ${problem}`);
  return problems.length === 0 ? param : undefined;
}

/** The LoRA settings, which only apply with finetune: lora. */
export function isLoraSetting(setting: string): boolean {
  return setting.startsWith("lora_");
}
