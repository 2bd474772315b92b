/**
 * Which PEFT modules hold core's LoRA adapters, per architecture, and how a module's adapter is
 * built from and split into its projections' adapters (see peft-lora.ts for the files).
 *
 * GPT-2's c_attn is one module computing query, key and value side by side, and PEFT adapts whole
 * modules, while core adapts each projection. The choice here: core's adapters on query, key and
 * value become one c_attn adapter whose rank is the sum of theirs, block-structured so that it
 * computes exactly what they do: lora_A stacks each projection's Aᵀ, and lora_B puts each
 * projection's Bᵀ in that projection's rows of the output and its own columns of the rank, zeros
 * elsewhere (so an untargeted key gets zero rows). Reading back splits a c_attn adapter by rows
 * into its projections, each keeping the rank columns its rows use. Llama's modules are one
 * projection each, so its adapters pass through as they are.
 */
import { type GPTConfig, mlpWidth } from "./config.ts";
import { gpt2Problems } from "./hf-gpt2-config.ts";
import { llamaProblems } from "./hf-llama-config.ts";
import type { AdapterValues, BlockAdapterValues } from "./lora.ts";
import type { LoraTarget } from "./lora-config.ts";
import type { Float32Tensor } from "./safetensors.ts";

/** A module of a layer, and the core projections it computes, in order. */
export interface PeftModule {
  /** Its name within the layer: `attn.c_attn`, `self_attn.q_proj`. */
  path: string;
  /** Its name in target_modules, rank_pattern and alpha_pattern (a suffix of its full name). */
  name: string;
  targets: LoraTarget[];
}

/** How an architecture names its layers' modules, as PEFT's tensor names and config use them. */
export interface PeftLayout {
  architecture: string;
  /** The layers' path in the Hugging Face model: `{layers}.{i}.{module path}`. */
  layers: string;
  modules: PeftModule[];
  /** GPT-2's projections are Conv1D layers with [in, out] weights; Llama's nn.Linear, [out, in]. */
  fanInFanOut: boolean;
}

const GPT2: PeftLayout = {
  architecture: "GPT-2",
  layers: "transformer.h",
  // attn.c_proj and mlp.c_proj share a last name: these modules are named with their parent.
  modules: [
    { path: "attn.c_attn", name: "attn.c_attn", targets: ["query", "key", "value"] },
    { path: "attn.c_proj", name: "attn.c_proj", targets: ["attentionOutput"] },
    { path: "mlp.c_fc", name: "mlp.c_fc", targets: ["mlpIn"] },
    { path: "mlp.c_proj", name: "mlp.c_proj", targets: ["mlpOut"] },
  ],
  fanInFanOut: true,
};

const LLAMA: PeftLayout = {
  architecture: "Llama",
  layers: "model.layers",
  modules: [
    { path: "self_attn.q_proj", name: "q_proj", targets: ["query"] },
    { path: "self_attn.k_proj", name: "k_proj", targets: ["key"] },
    { path: "self_attn.v_proj", name: "v_proj", targets: ["value"] },
    { path: "self_attn.o_proj", name: "o_proj", targets: ["attentionOutput"] },
    { path: "mlp.gate_proj", name: "gate_proj", targets: ["mlpGate"] },
    { path: "mlp.up_proj", name: "up_proj", targets: ["mlpIn"] },
    { path: "mlp.down_proj", name: "down_proj", targets: ["mlpOut"] },
  ],
  fanInFanOut: false,
};

/** The layout of the architecture that expresses the model, as exportHuggingFaceModel picks it. */
export function peftLayout(config: GPTConfig): PeftLayout {
  const [gpt2, llama] = [gpt2Problems(config), llamaProblems(config)];
  if (gpt2.length === 0) return GPT2;
  if (llama.length === 0) return LLAMA;
  throw new Error(
    `PEFT adapters need a GPT-2 or Llama model: this one is neither GPT-2 (${gpt2.join("; ")}) nor Llama (${llama.join("; ")})`,
  );
}

/** One module's adapter in PEFT's terms. */
export interface ModuleAdapter {
  rank: number;
  scaling: number;
  /** [rank, in] */
  a: Float32Tensor;
  /** [out, rank] */
  b: Float32Tensor;
}

/** The widths of a module's projections' outputs: query, key and value, or the one projection. */
export function outputWidths(config: GPTConfig, targets: LoraTarget[]): number[] {
  const kvWidth = (config.kvHeads * config.dModel) / config.heads;
  const width: Record<LoraTarget, number> = {
    query: config.dModel,
    key: kvWidth,
    value: kvWidth,
    attentionOutput: config.dModel,
    mlpGate: mlpWidth(config),
    mlpIn: mlpWidth(config),
    mlpOut: config.dModel,
  };
  return targets.map((target) => width[target]);
}

/** The module's PEFT adapter, block-structured over its projections' adapters (see the header). */
export function moduleAdapter(
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

/**
 * A module's adapter as its projections' adapters: each projection takes its rows of B and the
 * rank columns those rows use (none: no adapter), so core's own export reads back as it was.
 */
export function splitModule(
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
