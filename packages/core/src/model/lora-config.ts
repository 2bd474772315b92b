/**
 * What a LoRA adapter set is (lora.ts applies it): free of TensorFlow.js, so that the settings and
 * the PEFT config can read it.
 */

/**
 * The projections an adapter can attach to, by core's block weight names. mlpGate is SwiGLU's gate
 * (Llama's gate_proj): models without one (GPT-2's GELU MLP) skip it.
 */
export const loraTargets = [
  "query",
  "key",
  "value",
  "attentionOutput",
  "mlpGate",
  "mlpIn",
  "mlpOut",
] as const;
export type LoraTarget = (typeof loraTargets)[number];

export interface LoraConfig {
  rank: number;
  alpha: number;
  dropout: number;
  targets: readonly LoraTarget[];
  /** Rank-stabilised scaling alpha/√r (Kalajdzievski 2023) instead of alpha/r. */
  rslora: boolean;
}

export function loraScaling(config: Pick<LoraConfig, "rank" | "alpha" | "rslora">): number {
  return config.rslora ? config.alpha / Math.sqrt(config.rank) : config.alpha / config.rank;
}

/** Throws naming each problem, by the settings' names (lora_r, lora_alpha, …). */
export function checkLoraConfig(config: LoraConfig) {
  const problems: string[] = [];
  if (!(Number.isInteger(config.rank) && config.rank >= 1)) {
    problems.push(`lora_r must be a positive whole number, got ${config.rank}`);
  }
  if (!(config.alpha > 0)) problems.push(`lora_alpha must be positive, got ${config.alpha}`);
  if (!(config.dropout >= 0 && config.dropout < 1)) {
    problems.push(`lora_dropout must be in [0, 1), got ${config.dropout}`);
  }
  if (config.targets.length === 0) problems.push("lora_targets must name at least one projection");
  const unknown = config.targets.filter((target) => !loraTargets.includes(target));
  if (unknown.length > 0) {
    problems.push(
      `lora_targets has unknown ${unknown.join(", ")}; known: ${loraTargets.join(", ")}`,
    );
  }
  if (problems.length > 0) throw new Error(`invalid LoRA config: ${problems.join("; ")}`);
}
