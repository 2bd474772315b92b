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
    activation: z.enum(["relu", "gelu"]).default("gelu"),
    dropout: z.number().min(0).lt(1).default(0),
    /** LayerNorm before each sub-layer (GPT-2) or after the residual sum (original Transformer). */
    norm: z.enum(["pre", "post"]).default("pre"),
    positions: z.enum(["learned", "sinusoidal", "rotary"]).default("learned"),
    /** Output projection shares the token embedding matrix. */
    tieEmbeddings: z.boolean().default(true),
    /** LayerNorm's ε; unset means 1e-5 (GPT-2's). An imported checkpoint may carry another. */
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
    if (!Number.isInteger(config.mlpRatio * config.dModel)) {
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

export function layerNormEpsilon(config: GPTConfig): number {
  return config.normEpsilon ?? 1e-5;
}

export function mlpWidth(config: GPTConfig): number {
  return config.mlpRatio * config.dModel;
}

/** Trainable weights per block: two LayerNorms, the attention projections and the MLP, with biases. */
function blockParameters(config: GPTConfig): number {
  const d = config.dModel;
  const kvWidth = config.kvHeads * headDim(config);
  const norms = 2 * (2 * d);
  const attention = d * d + d + 2 * (d * kvWidth + kvWidth) + d * d + d;
  const mlp = d * mlpWidth(config) + mlpWidth(config) + mlpWidth(config) * d + d;
  return norms + attention + mlp;
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
  const finalNorm = config.norm === "pre" ? 2 * d : 0;
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
