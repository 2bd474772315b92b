// Three ways to choose a batch size, each returning a recommendation with its evidence.

export interface CrossValidationOptions {
  batchSizes: number[];
  folds: number;
  /** Training tokens per fold, the same for every batch size so the comparison is fair. */
  tokenBudget: number;
  /** Tokens per sample, to turn the budget into steps. */
  sequenceLength: number;
}

export interface FoldRun {
  batchSize: number;
  fold: number;
  /** Steps that spend the token budget at this batch size. */
  steps: number;
}

export interface CrossValidatedBatchSize {
  batchSize: number;
  steps: number;
  /** Validation loss per fold. */
  losses: number[];
  mean: number;
  std: number;
  standardError: number;
}

/**
 * (a) k-fold cross-validation at an equal token budget. `evaluate` trains on every fold but one for
 * `steps` steps and returns the loss on the held-out fold. The recommendation follows the
 * one-standard-error rule: the largest (fastest) batch size whose mean loss is within one standard
 * error of the best mean, since smaller differences are noise between folds.
 */
export async function crossValidateBatchSizes(
  evaluate: (run: FoldRun) => Promise<number>,
  options: CrossValidationOptions,
): Promise<{ recommended: number; candidates: CrossValidatedBatchSize[] }> {
  const { batchSizes, folds, tokenBudget, sequenceLength } = options;
  if (batchSizes.length === 0 || folds < 2) {
    throw new Error(
      `cross-validation needs batch sizes and at least 2 folds, got ${batchSizes.length} and ${folds}`,
    );
  }
  const candidates: CrossValidatedBatchSize[] = [];
  for (const batchSize of batchSizes) {
    const steps = Math.floor(tokenBudget / (batchSize * sequenceLength));
    if (steps < 1) {
      throw new Error(
        `a token budget of ${tokenBudget} is less than one step of batch size ${batchSize} at sequence length ${sequenceLength}`,
      );
    }
    const losses: number[] = [];
    for (let fold = 0; fold < folds; fold++) {
      losses.push(await evaluate({ batchSize, fold, steps }));
    }
    const { mean, std } = meanAndStd(losses);
    candidates.push({ batchSize, steps, losses, mean, std, standardError: std / Math.sqrt(folds) });
  }
  const best = candidates.reduce((a, b) => (b.mean < a.mean ? b : a));
  const recommended = largestWithin(
    candidates,
    (candidate) => candidate.mean <= best.mean + best.standardError,
  );
  return { recommended, candidates };
}

export interface RangeSweepOptions {
  batchSizes: number[];
  /** The batch size that baseLr was tuned for. */
  baseBatchSize: number;
  baseLr: number;
  /** LR ∝ batch size (Goyal et al. 2017, for SGD) or ∝ its square root (Adam-style optimisers). */
  scaling: "linear" | "sqrt";
  /** Relative loss difference counted as a tie, settled toward the larger batch. */
  tolerance?: number;
}

export interface SweepPoint {
  batchSize: number;
  lr: number;
  loss: number;
}

/** The LR for a batch size under a scaling rule. */
export function scaleLr(
  batchSize: number,
  baseBatchSize: number,
  baseLr: number,
  scaling: "linear" | "sqrt",
): number {
  const ratio = batchSize / baseBatchSize;
  return baseLr * (scaling === "linear" ? ratio : Math.sqrt(ratio));
}

/**
 * (b) A range sweep: each batch size trained with the LR scaled from the base; `evaluate` returns
 * the loss. Recommends the largest batch size within `tolerance` (relative, default 1%) of the
 * lowest loss.
 */
export async function sweepBatchSizes(
  evaluate: (point: { batchSize: number; lr: number }) => Promise<number>,
  options: RangeSweepOptions,
): Promise<{ recommended: number; curve: SweepPoint[] }> {
  const { batchSizes, baseBatchSize, baseLr, scaling, tolerance = 0.01 } = options;
  if (batchSizes.length === 0)
    throw new Error("the batch-size sweep needs at least one batch size");
  const curve: SweepPoint[] = [];
  for (const batchSize of batchSizes) {
    const lr = scaleLr(batchSize, baseBatchSize, baseLr, scaling);
    curve.push({ batchSize, lr, loss: await evaluate({ batchSize, lr }) });
  }
  const best = Math.min(...curve.map((point) => point.loss));
  const recommended = largestWithin(
    curve,
    (point) => point.loss <= best + tolerance * Math.abs(best),
  );
  return { recommended, curve };
}

export interface GradientNormMeasurement {
  smallBatch: number;
  bigBatch: number;
  /** |G_B|² of the mean gradient over a batch of each size, taken at the same point. */
  smallSquaredNorm: number;
  bigSquaredNorm: number;
}

export interface GradientNoiseScale {
  /** Unbiased estimate of |G|², the true gradient's squared norm, averaged over measurements. */
  squaredGradientNorm: number;
  /** Unbiased estimate of tr(Σ), the per-example gradient covariance's trace, averaged likewise. */
  traceCovariance: number;
  /** B_simple = tr(Σ) / |G|², McCandlish et al.'s estimate of the critical batch size. */
  simpleNoiseScale: number;
  /** The power of two nearest to B_simple on a log scale. */
  recommended: number;
  measurements: GradientNormMeasurement[];
}

/**
 * (c) The gradient noise scale (McCandlish et al. 2018, appendix A). Since E|G_B|² = |G|² + tr(Σ)/B,
 * two batch sizes give unbiased estimates of |G|² and tr(Σ). Each is noisy, so they are averaged
 * over measurements before taking the ratio, as the paper recommends (the mean of ratios is biased).
 */
export function gradientNoiseScale(measurements: GradientNormMeasurement[]): GradientNoiseScale {
  if (measurements.length === 0) throw new Error("the gradient noise scale needs measurements");
  let squaredNorms = 0;
  let traces = 0;
  for (const measurement of measurements) {
    const estimate = noiseEstimates(measurement);
    squaredNorms += estimate.squaredGradientNorm;
    traces += estimate.traceCovariance;
  }
  const squaredGradientNorm = squaredNorms / measurements.length;
  const traceCovariance = traces / measurements.length;
  if (!(squaredGradientNorm > 0 && traceCovariance > 0)) {
    throw new Error(
      `the noise dominates ${measurements.length} measurements (|G|² ≈ ${squaredGradientNorm}, tr(Σ) ≈ ${traceCovariance}); take more or use a bigger big batch`,
    );
  }
  const simpleNoiseScale = traceCovariance / squaredGradientNorm;
  const recommended = 2 ** Math.max(0, Math.round(Math.log2(simpleNoiseScale)));
  return { squaredGradientNorm, traceCovariance, simpleNoiseScale, recommended, measurements };
}

/**
 * One measurement's unbiased estimates of |G|² and tr(Σ), in the measurement's batch units. Each
 * alone is noisy (|G|² may come out negative): average many before taking their ratio.
 */
export function noiseEstimates({
  smallBatch,
  bigBatch,
  smallSquaredNorm,
  bigSquaredNorm,
}: GradientNormMeasurement): { squaredGradientNorm: number; traceCovariance: number } {
  if (!(bigBatch > smallBatch && smallBatch > 0)) {
    throw new Error(
      `gradient norms need 0 < small batch < big batch, got ${smallBatch} and ${bigBatch}`,
    );
  }
  return {
    squaredGradientNorm:
      (bigBatch * bigSquaredNorm - smallBatch * smallSquaredNorm) / (bigBatch - smallBatch),
    traceCovariance: (smallSquaredNorm - bigSquaredNorm) / (1 / smallBatch - 1 / bigBatch),
  };
}

/** Measures `count` pairs of squared gradient norms with `squaredNorm(batchSize)`, then estimates. */
export async function measureGradientNoiseScale(
  squaredNorm: (batchSize: number) => Promise<number>,
  options: { smallBatch: number; bigBatch: number; count: number },
): Promise<GradientNoiseScale> {
  const { smallBatch, bigBatch, count } = options;
  const measurements: GradientNormMeasurement[] = [];
  for (let i = 0; i < count; i++) {
    const smallSquaredNorm = await squaredNorm(smallBatch);
    const bigSquaredNorm = await squaredNorm(bigBatch);
    measurements.push({ smallBatch, bigBatch, smallSquaredNorm, bigSquaredNorm });
  }
  return gradientNoiseScale(measurements);
}

function meanAndStd(values: readonly number[]): { mean: number; std: number } {
  const mean = values.reduce((sum, value) => sum + value, 0) / values.length;
  const squares = values.reduce((sum, value) => sum + (value - mean) ** 2, 0);
  // The sample (n - 1) standard deviation: folds are a sample of the data's splits.
  return { mean, std: Math.sqrt(squares / Math.max(1, values.length - 1)) };
}

function largestWithin<T extends { batchSize: number }>(
  items: readonly T[],
  isTied: (item: T) => boolean,
): number {
  return Math.max(...items.filter(isTied).map((item) => item.batchSize));
}
