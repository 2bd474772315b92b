// Choosing the sequence length: from the data, from the task, and warming it up during training.

export type LengthRounding = "multiple-of-8" | "power-of-two";

export interface LengthCost {
  length: number;
  /** Share of samples longer than the length, which get cut. */
  truncationRate: number;
  /** Share of all tokens lost to truncation. */
  truncatedTokens: number;
  /** Share of the padded batch that is padding when every sample is padded to the length. */
  paddingWaste: number;
}

export interface DataDrivenLength extends LengthCost {
  /** The sample length at the percentile, before rounding. */
  percentileLength: number;
  /** The same costs at the candidate lengths, ascending. */
  table: LengthCost[];
}

/**
 * (a) The length that covers `percentile`% of the samples (nearest-rank percentile), rounded up to
 * a multiple of 8 (what tensor cores and most kernels tile by) or to a power of two (what fixed
 * buckets and some attention kernels want), with what it costs. The table defaults to the powers
 * of two from 32 to the first that fits the longest sample.
 */
export function sequenceLengthFromData(
  lengths: readonly number[],
  options: { percentile?: number; rounding?: LengthRounding; candidates?: number[] } = {},
): DataDrivenLength {
  const { percentile = 95, rounding = "multiple-of-8" } = options;
  if (lengths.length === 0)
    throw new Error("sequenceLengthFromData needs at least one sample length");
  if (!(percentile > 0 && percentile <= 100)) {
    throw new Error(`the percentile must be in (0, 100], got ${percentile}`);
  }
  const sorted = [...lengths].sort((a, b) => a - b);
  const percentileLength = sorted[Math.ceil((percentile / 100) * sorted.length) - 1] as number;
  const length = roundUp(percentileLength, rounding);
  const longest = sorted.at(-1) as number;
  const candidates = options.candidates ?? powersOfTwo(32, roundUp(longest, "power-of-two"));
  const table = [...candidates]
    .sort((a, b) => a - b)
    .map((candidate) => lengthCost(sorted, candidate));
  return { ...lengthCost(sorted, length), percentileLength, table };
}

export function lengthCost(lengths: readonly number[], length: number): LengthCost {
  let truncated = 0;
  let lostTokens = 0;
  let tokens = 0;
  let kept = 0;
  for (const sample of lengths) {
    tokens += sample;
    kept += Math.min(sample, length);
    if (sample > length) {
      truncated++;
      lostTokens += sample - length;
    }
  }
  return {
    length,
    truncationRate: truncated / lengths.length,
    truncatedTokens: tokens === 0 ? 0 : lostTokens / tokens,
    paddingWaste: 1 - kept / (lengths.length * length),
  };
}

function roundUp(length: number, rounding: LengthRounding): number {
  if (rounding === "power-of-two") return 2 ** Math.ceil(Math.log2(Math.max(1, length)));
  return Math.max(8, Math.ceil(length / 8) * 8);
}

function powersOfTwo(from: number, to: number): number[] {
  const powers: number[] = [];
  for (let power = from; power <= Math.max(from, to); power *= 2) powers.push(power);
  return powers;
}

export type Task = "dialogue" | "summarisation" | "classification" | "generation";

/** (b) Starting points by task, for when there is no data to measure yet. */
export const sequenceLengthPresets: Record<Task, { length: number; reason: string }> = {
  classification: {
    length: 128,
    reason:
      "labels depend on a sentence or short passage; 128 tokens is BERT's fine-tuning default",
  },
  dialogue: {
    length: 512,
    reason: "a reply needs several turns of context; 512 tokens holds a few exchanges",
  },
  summarisation: {
    length: 1024,
    reason:
      "the source document and its summary share the window; news articles run to ~800 tokens",
  },
  generation: {
    length: 1024,
    reason: "long-range coherence needs a long window; GPT-2's context was 1024 tokens",
  },
};

export interface LengthWarmupOptions {
  startLength: number;
  fullLength: number;
  warmupSteps: number;
  /** Linear ramp, or a staircase of `stages` equal stages under it. */
  shape: "linear" | "stepwise";
  stages?: number;
  /** Lengths are rounded down to a multiple of this (but never below it). */
  multiple?: number;
}

/**
 * (c) Sequence-length warm-up (Li et al. 2022): train on short sequences first, growing to the full
 * length over warmupSteps, which steadies early training. A pure function of the step.
 */
export function sequenceLengthWarmup(options: LengthWarmupOptions): (step: number) => number {
  const { startLength, fullLength, warmupSteps, shape, stages = 4, multiple = 8 } = options;
  if (!(startLength > 0 && startLength <= fullLength && warmupSteps > 0 && stages >= 1)) {
    throw new Error(
      `the warm-up needs 0 < startLength <= fullLength, warmupSteps > 0 and stages >= 1, got ${startLength}, ${fullLength}, ${warmupSteps}, ${stages}`,
    );
  }
  return (step) => {
    if (step >= warmupSteps) return fullLength;
    const ramp = Math.max(0, step) / warmupSteps;
    const progress = shape === "linear" ? ramp : Math.floor(ramp * stages) / stages;
    const length = startLength + (fullLength - startLength) * progress;
    return Math.min(fullLength, Math.max(multiple, Math.floor(length / multiple) * multiple));
  };
}
