/**
 * LoRA adapters of a GPT-2 or Llama model in and out of PEFT's layout (Hugging Face's `peft`), as
 * `PeftModel.save_pretrained` writes them and `PeftModel.from_pretrained` reads them:
 * adapter_config.json and adapter_model.safetensors, with tensors named
 * `base_model.model.{layers}.{i}.{module}.lora_A.weight` [r, in] and `.lora_B.weight` [out, r]
 * (nn.Linear layouts: core's A [in, r] and B [r, out] transposed), where GPT-2's layers are
 * `transformer.h` and its modules attn.c_attn, attn.c_proj, mlp.c_fc and mlp.c_proj, Llama's
 * `model.layers` and self_attn.{q,k,v,o}_proj, mlp.{gate,up,down}_proj (peft-modules.ts). GPT-2's
 * projections are Conv1D layers with [in, out] weights, hence `fan_in_fan_out: true`; PEFT's update
 * is then W + scaling·(B·A)ᵀ, the same as core's W + scaling·A·B. Llama's are nn.Linear layers,
 * `fan_in_fan_out: false`, W [out, in] + scaling·B·A.
 *
 * Each module's r and lora_alpha are such that PEFT's scaling (lora_alpha / r, or / √r with
 * use_rslora) is core's; where a module's differ from the config's r and lora_alpha, rank_pattern
 * and alpha_pattern give them.
 */
import type { GPT } from "./gpt.ts";
import { type ModelFiles, readJsonFile } from "./hf-folder.ts";
import { adaptersOf, attachAdapters, type BlockAdapterValues } from "./lora.ts";
import {
  type ModuleAdapter,
  moduleAdapter,
  outputWidths,
  type PeftLayout,
  type PeftModule,
  peftLayout,
  splitModule,
} from "./peft-modules.ts";
import {
  type Float32Tensor,
  float32Values,
  readSafetensors,
  writeSafetensors,
} from "./safetensors.ts";

export const ADAPTER_CONFIG_FILE = "adapter_config.json";
export const ADAPTER_WEIGHTS_FILE = "adapter_model.safetensors";

const PREFIX = "base_model.model.";

export interface PeftExportOptions {
  /** The base model's Hugging Face name or path, as PEFT records it. */
  baseModelNameOrPath: string;
  /** Write the scaling as lora_alpha / √r (rank-stabilised), as the adapters were trained. */
  useRslora?: boolean;
}

/** Writes the adapters of a model made by addLora (or importPeftLora) in PEFT's layout. */
export function exportPeftLora(model: GPT, options: PeftExportOptions): Map<string, Uint8Array> {
  const layout = peftLayout(model.config);
  const byBlock = new Map<number, BlockAdapterValues>();
  for (const { block, target, adapter } of adaptersOf(model)) {
    const values = byBlock.get(block) ?? {};
    values[target] = {
      a: { shape: adapter.a.shape, values: adapter.a.dataSync() as Float32Array },
      b: { shape: adapter.b.shape, values: adapter.b.dataSync() as Float32Array },
      scaling: adapter.scaling,
      dropout: adapter.dropout,
    };
    byBlock.set(block, values);
  }
  if (byBlock.size === 0) throw new Error("the model has no LoRA adapters to export");
  const tensors: [string, Float32Tensor][] = [];
  const ranks = new Map<string, number>();
  const alphas = new Map<string, number>();
  const alphaOf = (adapter: ModuleAdapter) =>
    adapter.scaling * (options.useRslora ? Math.sqrt(adapter.rank) : adapter.rank);
  for (const [block, values] of [...byBlock].sort(([a], [b]) => a - b)) {
    for (const { path, name, targets } of layout.modules) {
      const adapter = moduleAdapter(model.config, values, targets);
      if (adapter === undefined) continue;
      const module = `${PREFIX}${layout.layers}.${block}.${path}`;
      tensors.push([`${module}.lora_A.weight`, adapter.a]);
      tensors.push([`${module}.lora_B.weight`, adapter.b]);
      const [rank, alpha] = [ranks.get(name), alphas.get(name)];
      if (
        (rank ?? adapter.rank) !== adapter.rank ||
        (alpha ?? alphaOf(adapter)) !== alphaOf(adapter)
      ) {
        throw new Error(`the ${name} adapters differ in rank or scaling between blocks`);
      }
      ranks.set(name, adapter.rank);
      alphas.set(name, alphaOf(adapter));
    }
  }
  const [firstModule] = ranks.keys() as MapIterator<string>;
  const r = ranks.get(firstModule as string) as number;
  const loraAlpha = alphas.get(firstModule as string) as number;
  const pattern = (values: Map<string, number>, global: number) =>
    Object.fromEntries([...values].filter(([, value]) => value !== global));
  const dropout = adaptersOf(model)[0]?.adapter.dropout ?? 0;
  const config = {
    peft_type: "LORA",
    task_type: "CAUSAL_LM",
    base_model_name_or_path: options.baseModelNameOrPath,
    r,
    lora_alpha: loraAlpha,
    lora_dropout: dropout,
    target_modules: [...ranks.keys()],
    rank_pattern: pattern(ranks, r),
    alpha_pattern: pattern(alphas, loraAlpha),
    use_rslora: options.useRslora ?? false,
    fan_in_fan_out: layout.fanInFanOut,
    bias: "none",
    init_lora_weights: true,
    inference_mode: true,
    modules_to_save: null,
  };
  return new Map([
    [ADAPTER_CONFIG_FILE, new TextEncoder().encode(`${JSON.stringify(config, null, 2)}\n`)],
    [ADAPTER_WEIGHTS_FILE, writeSafetensors(tensors, { format: "pt" })],
  ]);
}

interface PeftConfig {
  peft_type: string;
  r: number;
  lora_alpha: number;
  lora_dropout?: number;
  use_rslora?: boolean;
  fan_in_fan_out?: boolean;
  bias?: string;
  rank_pattern?: Record<string, number>;
  alpha_pattern?: Record<string, number>;
}

/**
 * Reads PEFT adapter files (adapter_config.json, adapter_model.safetensors) onto `base`, a GPT-2
 * or Llama model: the result trains or runs the adapters on the shared, frozen base.
 */
export function importPeftLora(base: GPT, files: ModelFiles): GPT {
  const layout = peftLayout(base.config);
  const config = readJsonFile(files, ADAPTER_CONFIG_FILE, "the adapters' settings") as PeftConfig;
  const problems: string[] = [];
  if (config.peft_type !== "LORA") problems.push(`peft_type is ${config.peft_type}, not LORA`);
  if (config.fan_in_fan_out !== undefined && config.fan_in_fan_out !== layout.fanInFanOut) {
    problems.push(
      `fan_in_fan_out is ${config.fan_in_fan_out}, but ${layout.architecture}'s weights are ${layout.fanInFanOut ? "[in, out]" : "[out, in]"}`,
    );
  }
  if (config.bias !== undefined && config.bias !== "none") {
    problems.push(`bias is ${config.bias}: only adapters without bias terms are supported`);
  }
  const weights = files.get(ADAPTER_WEIGHTS_FILE);
  if (weights === undefined) problems.push(`${ADAPTER_WEIGHTS_FILE} is missing`);
  if (problems.length > 0 || weights === undefined) {
    throw new Error(`not LoRA adapters this model can use: ${problems.join("; ")}`);
  }
  const key = tensorName(layout);
  type Pair = { a?: Float32Tensor; b?: Float32Tensor; block: number; module: PeftModule };
  const pairs = new Map<string, Pair>();
  for (const [name, stored] of readSafetensors(weights, ADAPTER_WEIGHTS_FILE).tensors) {
    const match = key.exec(name);
    const block = Number(match?.[1]);
    const module = layout.modules.find(({ path }) => path === match?.[2]);
    if (match === null || block >= base.config.layers || module === undefined) {
      problems.push(
        `tensor "${name}" is not a LoRA weight of this ${base.config.layers}-layer ${layout.architecture}`,
      );
      continue;
    }
    const pairKey = `${block}.${module.path}`;
    const pair = pairs.get(pairKey) ?? { block, module };
    pair[match[3] === "A" ? "a" : "b"] = {
      shape: stored.shape,
      values: float32Values(stored, name),
    };
    pairs.set(pairKey, pair);
  }
  const blocks: BlockAdapterValues[] = base.weights.blocks.map(() => ({}));
  for (const { a, b, block, module: peftModule } of pairs.values()) {
    const { path: module, targets } = peftModule;
    if (a === undefined || b === undefined) {
      problems.push(
        `block ${block}'s ${module} has lora_${a ? "B" : "A"} but not lora_${a ? "A" : "B"}`,
      );
      continue;
    }
    const rank = a.shape[0] as number;
    const expectedRank = patternValue(config.rank_pattern, layout, module) ?? config.r;
    if (rank !== expectedRank || b.shape[1] !== rank) {
      problems.push(
        `block ${block}'s ${module} has rank ${rank} (lora_A [${a.shape}], lora_B [${b.shape}]), the config says ${expectedRank}`,
      );
      continue;
    }
    const alpha = patternValue(config.alpha_pattern, layout, module) ?? config.lora_alpha;
    const scaling = alpha / (config.use_rslora ? Math.sqrt(rank) : rank);
    const widths = outputWidths(base.config, targets);
    if (b.shape[0] !== widths.reduce((sum, width) => sum + width, 0)) {
      problems.push(`block ${block}'s ${module} lora_B [${b.shape}] does not fit its output width`);
      continue;
    }
    Object.assign(
      blocks[block] as BlockAdapterValues,
      splitModule(a, b, targets, widths, scaling, config.lora_dropout ?? 0),
    );
  }
  if (problems.length > 0)
    throw new Error(`the adapters do not fit this model: ${problems.join("; ")}`);
  return attachAdapters(base, blocks);
}

/** `{layers}.{block}.{module path}.lora_{A|B}.weight`, the block and path captured. */
function tensorName(layout: PeftLayout): RegExp {
  const layers = `${PREFIX}${layout.layers}`.replaceAll(".", "\\.");
  return new RegExp(`^${layers}\\.(\\d+)\\.(.+)\\.lora_([AB])\\.weight$`);
}

/** A pattern's value for a module: PEFT matches each key as a suffix of the module's name. */
function patternValue(
  pattern: Record<string, number> | undefined,
  layout: PeftLayout,
  path: string,
): number | undefined {
  const name = `${layout.layers}.0.${path}`;
  const key = Object.keys(pattern ?? {}).find((key) => new RegExp(`(.*\\.)?(${key})$`).test(name));
  return key === undefined ? undefined : pattern?.[key];
}
