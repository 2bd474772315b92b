/**
 * LoRA adapters of a GPT-2-shaped model in and out of PEFT's layout (Hugging Face's `peft`), as
 * `PeftModel.save_pretrained` writes them and `PeftModel.from_pretrained` reads them:
 * adapter_config.json and adapter_model.safetensors, with tensors named
 * `base_model.model.transformer.h.{i}.{module}.lora_A.weight` [r, in] and `.lora_B.weight`
 * [out, r] (nn.Linear layouts: core's A [in, r] and B [r, out] transposed). GPT-2's projections are
 * Conv1D layers with [in, out] weights, hence `fan_in_fan_out: true`; PEFT's update is then
 * W + scaling·(B·A)ᵀ, the same as core's W + scaling·A·B.
 *
 * GPT-2's c_attn is one module computing query, key and value side by side, and PEFT adapts whole
 * modules, while core adapts each projection. The choice here: core's adapters on query, key and
 * value become one c_attn adapter whose rank is the sum of theirs, block-structured so that it
 * computes exactly what they do: lora_A stacks each projection's Aᵀ, and lora_B puts each
 * projection's Bᵀ in that projection's rows of the output and its own columns of the rank, zeros
 * elsewhere (so an untargeted key gets zero rows). Each module's r and lora_alpha are such that
 * PEFT's scaling (lora_alpha / r, or / √r with use_rslora) is core's; where a module's differ from
 * the config's r and lora_alpha, rank_pattern and alpha_pattern give them. Reading back splits a
 * c_attn adapter by rows into its projections, each keeping the rank columns its rows use.
 */
import { type GPTConfig, mlpWidth } from "./config.ts";
import type { GPT } from "./gpt.ts";
import { type ModelFiles, readJsonFile } from "./hf-folder.ts";
import { hfConfigFromGpt } from "./hf-gpt2-config.ts";
import { type AdapterValues, adaptersOf, attachAdapters, type BlockAdapterValues } from "./lora.ts";
import type { LoraTarget } from "./lora-config.ts";
import {
  type Float32Tensor,
  float32Values,
  readSafetensors,
  writeSafetensors,
} from "./safetensors.ts";

export const ADAPTER_CONFIG_FILE = "adapter_config.json";
export const ADAPTER_WEIGHTS_FILE = "adapter_model.safetensors";

/** GPT-2's modules (suffixes of their names) and the core projections each computes, in order. */
const MODULES: { module: string; targets: LoraTarget[] }[] = [
  { module: "attn.c_attn", targets: ["query", "key", "value"] },
  { module: "attn.c_proj", targets: ["attentionOutput"] },
  { module: "mlp.c_fc", targets: ["mlpIn"] },
  { module: "mlp.c_proj", targets: ["mlpOut"] },
];

const PREFIX = "base_model.model.transformer.h.";
const KEY =
  /^base_model\.model\.transformer\.h\.(\d+)\.(attn\.c_attn|attn\.c_proj|mlp\.c_fc|mlp\.c_proj)\.lora_([AB])\.weight$/;

export interface PeftExportOptions {
  /** The base model's Hugging Face name or path, as PEFT records it. */
  baseModelNameOrPath: string;
  /** Write the scaling as lora_alpha / √r (rank-stabilised), as the adapters were trained. */
  useRslora?: boolean;
}

/** One module's adapter in PEFT's terms. */
interface ModuleAdapter {
  rank: number;
  scaling: number;
  /** [rank, in] */
  a: Float32Tensor;
  /** [out, rank] */
  b: Float32Tensor;
}

/** Writes the adapters of a model made by addLora (or importPeftLora) in PEFT's layout. */
export function exportPeftLora(model: GPT, options: PeftExportOptions): Map<string, Uint8Array> {
  // The module names are GPT-2's: refuses, by config field, a model GPT-2 cannot express.
  hfConfigFromGpt(model.config);
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
    for (const { module, targets } of MODULES) {
      const adapter = moduleAdapter(model.config, values, targets);
      if (adapter === undefined) continue;
      tensors.push([`${PREFIX}${block}.${module}.lora_A.weight`, adapter.a]);
      tensors.push([`${PREFIX}${block}.${module}.lora_B.weight`, adapter.b]);
      const [rank, alpha] = [ranks.get(module), alphas.get(module)];
      if (
        (rank ?? adapter.rank) !== adapter.rank ||
        (alpha ?? alphaOf(adapter)) !== alphaOf(adapter)
      ) {
        throw new Error(`the ${module} adapters differ in rank or scaling between blocks`);
      }
      ranks.set(module, adapter.rank);
      alphas.set(module, alphaOf(adapter));
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
    fan_in_fan_out: true,
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

/** The widths of a module's projections' outputs: query, key and value, or the one projection. */
function outputWidths(config: GPTConfig, targets: LoraTarget[]): number[] {
  const kvWidth = (config.kvHeads * config.dModel) / config.heads;
  const width: Record<LoraTarget, number> = {
    query: config.dModel,
    key: kvWidth,
    value: kvWidth,
    attentionOutput: config.dModel,
    mlpIn: mlpWidth(config),
    mlpOut: config.dModel,
  };
  return targets.map((target) => width[target]);
}

/** The module's PEFT adapter, block-structured over its projections' adapters (see the header). */
function moduleAdapter(
  config: GPTConfig,
  values: BlockAdapterValues,
  targets: LoraTarget[],
): ModuleAdapter | undefined {
  const adapted = targets.flatMap((target) => (values[target] ? [values[target]] : []));
  const first = adapted[0];
  if (first === undefined) return undefined;
  const inputs = first.a.shape[0] as number;
  const rank = adapted.reduce((sum, adapter) => sum + (adapter.a.shape[1] as number), 0);
  const widths = outputWidths(config, targets);
  const out = widths.reduce((sum, width) => sum + width, 0);
  const a = new Float32Array(rank * inputs);
  const b = new Float32Array(out * rank);
  let [row, column] = [0, 0];
  targets.forEach((target, t) => {
    const adapter = values[target];
    const width = widths[t] as number;
    if (adapter !== undefined) {
      const r = adapter.a.shape[1] as number;
      // Folding a differing scaling into B keeps one scaling per module.
      const factor = adapter.scaling / first.scaling;
      for (let k = 0; k < r; k++) {
        for (let i = 0; i < inputs; i++)
          a[(column + k) * inputs + i] = adapter.a.values[i * r + k] as number;
        for (let o = 0; o < width; o++) {
          b[(row + o) * rank + column + k] = (adapter.b.values[k * width + o] as number) * factor;
        }
      }
      column += r;
    }
    row += width;
  });
  return {
    rank,
    scaling: first.scaling,
    a: { shape: [rank, inputs], values: a },
    b: { shape: [out, rank], values: b },
  };
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
 * shaped model: the result trains or runs the adapters on the shared, frozen base.
 */
export function importPeftLora(base: GPT, files: ModelFiles): GPT {
  hfConfigFromGpt(base.config);
  const config = readJsonFile(files, ADAPTER_CONFIG_FILE, "the adapters' settings") as PeftConfig;
  const problems: string[] = [];
  if (config.peft_type !== "LORA") problems.push(`peft_type is ${config.peft_type}, not LORA`);
  if (config.fan_in_fan_out === false) {
    problems.push("fan_in_fan_out is false, but GPT-2's Conv1D weights are [in, out]");
  }
  if (config.bias !== undefined && config.bias !== "none") {
    problems.push(`bias is ${config.bias}: only adapters without bias terms are supported`);
  }
  const weights = files.get(ADAPTER_WEIGHTS_FILE);
  if (weights === undefined) problems.push(`${ADAPTER_WEIGHTS_FILE} is missing`);
  if (problems.length > 0 || weights === undefined) {
    throw new Error(`not LoRA adapters this model can use: ${problems.join("; ")}`);
  }
  const pairs = new Map<string, { a?: Float32Tensor; b?: Float32Tensor; block: number }>();
  for (const [name, stored] of readSafetensors(weights, ADAPTER_WEIGHTS_FILE).tensors) {
    const match = KEY.exec(name);
    const block = Number(match?.[1]);
    if (match === null || block >= base.config.layers) {
      problems.push(
        `tensor "${name}" is not a LoRA weight of this ${base.config.layers}-layer GPT-2`,
      );
      continue;
    }
    const key = `${block}.${match[2]}`;
    const pair = pairs.get(key) ?? { block };
    pair[match[3] === "A" ? "a" : "b"] = {
      shape: stored.shape,
      values: float32Values(stored, name),
    };
    pairs.set(key, pair);
  }
  const blocks: BlockAdapterValues[] = base.weights.blocks.map(() => ({}));
  for (const [key, { a, b, block }] of pairs) {
    const module = key.slice(key.indexOf(".") + 1);
    if (a === undefined || b === undefined) {
      problems.push(
        `block ${block}'s ${module} has lora_${a ? "B" : "A"} but not lora_${a ? "A" : "B"}`,
      );
      continue;
    }
    const { targets } = MODULES.find((m) => m.module === module) as (typeof MODULES)[number];
    const rank = a.shape[0] as number;
    const expectedRank = patternValue(config.rank_pattern, module) ?? config.r;
    if (rank !== expectedRank || b.shape[1] !== rank) {
      problems.push(
        `block ${block}'s ${module} has rank ${rank} (lora_A [${a.shape}], lora_B [${b.shape}]), the config says ${expectedRank}`,
      );
      continue;
    }
    const alpha = patternValue(config.alpha_pattern, module) ?? config.lora_alpha;
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

/** A pattern's value for a module: PEFT matches each key as a suffix of the module's name. */
function patternValue(
  pattern: Record<string, number> | undefined,
  module: string,
): number | undefined {
  const name = `transformer.h.0.${module}`;
  const key = Object.keys(pattern ?? {}).find((key) => new RegExp(`(.*\\.)?(${key})$`).test(name));
  return key === undefined ? undefined : pattern?.[key];
}

/**
 * A module's adapter as its projections' adapters: each projection takes its rows of B and the
 * rank columns those rows use (none: no adapter), so core's own export reads back as it was.
 */
function splitModule(
  a: Float32Tensor,
  b: Float32Tensor,
  targets: LoraTarget[],
  widths: number[],
  scaling: number,
  dropout: number,
): BlockAdapterValues {
  const [rank, inputs] = a.shape as [number, number];
  const adapters: BlockAdapterValues = {};
  let row = 0;
  targets.forEach((target, t) => {
    const width = widths[t] as number;
    const used = Array.from({ length: rank }, (_, k) => k).filter((k) => {
      for (let o = 0; o < width; o++) if (b.values[(row + o) * rank + k] !== 0) return true;
      return targets.length === 1;
    });
    if (used.length > 0) {
      const r = used.length;
      const aValues = new Float32Array(inputs * r);
      const bValues = new Float32Array(r * width);
      used.forEach((k, j) => {
        for (let i = 0; i < inputs; i++) aValues[i * r + j] = a.values[k * inputs + i] as number;
        for (let o = 0; o < width; o++)
          bValues[j * width + o] = b.values[(row + o) * rank + k] as number;
      });
      const adapter: AdapterValues = {
        a: { shape: [inputs, r], values: aValues },
        b: { shape: [r, width], values: bValues },
        scaling,
        dropout,
      };
      adapters[target] = adapter;
    }
    row += width;
  });
  return adapters;
}
