/**
 * The GPT configuration: one validated object that fixes the architecture, plus the two numbers a
 * study needs before building anything: how many parameters it has and how much compute a
 * training token costs.
 */
import { z } from "zod";

const positiveInt = z.number().int().positive();

export const gptConfigSchema = z
  .object({
    vocabSize: positiveInt,
    /** Context length: the longest sequence the model reads. */
    seqLen: positiveInt,
    layers: positiveInt,
    dModel: positiveInt,
    heads: positiveInt,
    /** Key/value heads: = heads for multi-head, 1 for multi-query, in between for grouped-query. */
    kvHeads: positiveInt.optional(),
    /** MLP hidden width as a multiple of dModel. */
    mlpRatio: z.number().positive().default(4),
    /** MLP hidden width in units; when set, it overrides mlpRatio (Llama's intermediate_size). */
    mlpHidden: positiveInt.optional(),
    /** The MLP: act(x·W_in)·W_out, or SwiGLU's (silu(x·W_gate) ⊙ x·W_in)·W_out (Shazeer 2020). */
    activation: z.enum(["relu", "gelu", "swiglu"]).default("gelu"),
    dropout: z.number().min(0).lt(1).default(0),
    /** LayerNorm before each sub-layer (GPT-2) or after the residual sum (original Transformer). */
    norm: z.enum(["pre", "post"]).default("pre"),
    /** LayerNorm (centred, with a bias) or RMSNorm (Zhang & Sennrich 2019: scaled only, as Llama). */
    normalization: z.enum(["layernorm", "rmsnorm"]).default("layernorm"),
    positions: z.enum(["learned", "sinusoidal", "rotary"]).default("learned"),
    /** Rotary positions' base: pair i turns by position · ropeTheta^(-2i/headDim). */
    ropeTheta: z.number().gt(1).default(10000),
    /** Biases on the linear projections (attention and MLP); Llama has none. */
    bias: z.boolean().default(true),
    /** Output projection shares the token embedding matrix. */
    tieEmbeddings: z.boolean().default(true),
    /** The norms' ε; unset means 1e-5 (GPT-2's). An imported checkpoint may carry another. */
    normEpsilon: z.number().positive().optional(),
    /** When set, the model is a classifier: mean-pooled hidden state to this many classes. */
    numClasses: z.number().int().min(2).optional(),
  })
  .strict()
  .superRefine((config, ctx) => {
    const kvHeads = config.kvHeads ?? config.heads;
    const problem = (path: string, message: string) =>
      ctx.addIssue({ code: "custom", path: [path], message });
    if (config.dModel % config.heads !== 0) {
      problem("heads", `dModel ${config.dModel} is not divisible by heads ${config.heads}`);
    } else if (config.positions === "rotary" && (config.dModel / config.heads) % 2 !== 0) {
      problem(
        "positions",
        `rotary positions need an even head dimension, got dModel / heads = ${config.dModel / config.heads}`,
      );
    }
    if (kvHeads > config.heads || config.heads % kvHeads !== 0) {
      problem(
        "kvHeads",
        `heads ${config.heads} must be a multiple of kvHeads ${kvHeads} (kvHeads divides heads)`,
      );
    }
    if (config.mlpHidden === undefined && !Number.isInteger(config.mlpRatio * config.dModel)) {
      problem(
        "mlpRatio",
        `mlpRatio ${config.mlpRatio} × dModel ${config.dModel} must be a whole number of units`,
      );
    }
  })
  .transform((config) => ({ ...config, kvHeads: config.kvHeads ?? config.heads }));

export type GPTConfig = z.output<typeof gptConfigSchema>;
export type GPTConfigInput = z.input<typeof gptConfigSchema>;

/** Validates a config, throwing one error that lists every problem by field. */
export function parseConfig(input: unknown): GPTConfig {
  const result = gptConfigSchema.safeParse(input);
  if (!result.success) {
    const problems = result.error.issues.map(
      (issue) => `${issue.path.join(".")}: ${issue.message}`,
    );
    throw new Error(`invalid GPT config: ${problems.join("; ")}`);
  }
  return result.data;
}

export function headDim(config: GPTConfig): number {
  return config.dModel / config.heads;
}

/** The ε of every norm, LayerNorm or RMSNorm. */
export function layerNormEpsilon(config: GPTConfig): number {
  return config.normEpsilon ?? 1e-5;
}

export function mlpWidth(config: GPTConfig): number {
  return config.mlpHidden ?? config.mlpRatio * config.dModel;
}

/** Weights of one norm: a gain, and for LayerNorm a bias. */
function normParameters(config: GPTConfig): number {
  return (config.normalization === "layernorm" ? 2 : 1) * config.dModel;
}

/** Trainable weights per block: two norms, the attention projections and the MLP. */
function blockParameters(config: GPTConfig): number {
  const d = config.dModel;
  const kvWidth = config.kvHeads * headDim(config);
  const linear = (inputs: number, outputs: number) =>
    inputs * outputs + (config.bias ? outputs : 0);
  const attention = linear(d, d) + 2 * linear(d, kvWidth) + linear(d, d);
  const hidden = mlpWidth(config);
  const mlpIn = (config.activation === "swiglu" ? 2 : 1) * linear(d, hidden);
  return 2 * normParameters(config) + attention + mlpIn + linear(hidden, d);
}

/** Embedding tables that are only looked up, never multiplied: they cost no FLOPs per token. */
function lookupOnlyParameters(config: GPTConfig): number {
  const positions = config.positions === "learned" ? config.seqLen * config.dModel : 0;
  const tokens =
    config.tieEmbeddings && config.numClasses === undefined ? 0 : config.vocabSize * config.dModel;
  return positions + tokens;
}

/** The number of trainable weights, exactly as the built model allocates them. */
export function parameterCount(config: GPTConfig): number {
  const d = config.dModel;
  const embeddings =
    config.vocabSize * d + (config.positions === "learned" ? config.seqLen * d : 0);
  // Post-norm blocks already end in a LayerNorm, so only pre-norm needs a final one.
  const finalNorm = config.norm === "pre" ? normParameters(config) : 0;
  let head = 0;
  if (config.numClasses !== undefined) head = d * config.numClasses + config.numClasses;
  else if (!config.tieEmbeddings) head = d * config.vocabSize;
  return embeddings + config.layers * blockParameters(config) + finalNorm + head;
}

/**
 * Training FLOPs per token, after Kaplan et al. (2020) and the PaLM paper (appendix B):
 *
 *   6 · N  +  12 · layers · seqLen · dModel
 *
 * N counts the weights used in matrix products (all parameters except embedding tables that are
 * only looked up); each costs 2 FLOPs forward and 4 backward. The second term is attention's
 * Q·Kᵀ and P·V products (2 · 2 · seqLen · dModel forward per layer, tripled for training), counted
 * for the full seqLen × seqLen score matrix although the causal mask uses about half of it.
 */
export function trainingFlopsPerToken(config: GPTConfig): number {
  const matmulParameters = parameterCount(config) - lookupOnlyParameters(config);
  return 6 * matmulParameters + 12 * config.layers * config.seqLen * config.dModel;
}
