// The learning-rate range test (Smith 2015, "Cyclical Learning Rates for Training Neural Networks";
// the fastai lr_find variant): one short run with the LR raised exponentially from minLr to maxLr,
// recording an exponentially smoothed loss, stopped once the loss explodes.

export interface LrRangeTestOptions {
  minLr: number;
  maxLr: number;
  /** Training steps from minLr to maxLr. */
  steps: number;
  /** β of the exponential moving average of the loss. */
  smoothing?: number;
  /** Stop once the smoothed loss exceeds this many times the best smoothed loss. */
  divergeFactor?: number;
  /** Points left out at the start and end when looking for the steepest descent (noisy ends). */
  skipStart?: number;
  skipEnd?: number;
}

export interface LrRangePoint {
  lr: number;
  loss: number;
  smoothedLoss: number;
}

export interface LrRangeResult {
  /** Every step taken, for plotting smoothed loss against log LR. */
  curve: LrRangePoint[];
  /** Whether the run stopped because the loss exploded (or became NaN) before maxLr. */
  diverged: boolean;
  /** The LR of the lowest smoothed loss. */
  minLossLr: number;
  /** Where the smoothed loss falls fastest against log LR; undefined if too few points remain. */
  steepestLr: number | undefined;
  /** fastai's rule of thumb: a tenth of the minimum-loss LR. */
  minLossLrOverTen: number;
  /** steepestLr, or minLossLrOverTen when the curve is too short to differentiate. */
  suggestedLr: number;
}

/** Runs the test; `step` does one training step at the given LR and returns its loss. */
export async function lrRangeTest(
  step: (lr: number) => Promise<number>,
  options: LrRangeTestOptions,
): Promise<LrRangeResult> {
  const { minLr, maxLr, steps, smoothing = 0.98, divergeFactor = 4 } = options;
  if (!(minLr > 0 && maxLr > minLr && steps >= 2)) {
    throw new Error(
      `the LR range test needs 0 < minLr < maxLr and steps >= 2, got ${minLr}, ${maxLr}, ${steps}`,
    );
  }
  const curve: LrRangePoint[] = [];
  let average = 0;
  let best = Number.POSITIVE_INFINITY;
  let diverged = false;
  for (let i = 0; i < steps; i++) {
    const lr = minLr * (maxLr / minLr) ** (i / (steps - 1));
    const loss = await step(lr);
    average = smoothing * average + (1 - smoothing) * loss;
    // Bias correction, as in Adam: the average starts at 0, and dividing by 1 - β^(i+1) undoes that.
    const smoothedLoss = average / (1 - smoothing ** (i + 1));
    curve.push({ lr, loss, smoothedLoss });
    if (!Number.isFinite(smoothedLoss) || smoothedLoss > divergeFactor * best) {
      diverged = true;
      break;
    }
    best = Math.min(best, smoothedLoss);
  }
  return { curve, diverged, ...suggestLr(curve, options.skipStart ?? 10, options.skipEnd ?? 5) };
}

function suggestLr(curve: readonly LrRangePoint[], skipStart: number, skipEnd: number) {
  const finite = curve.filter((point) => Number.isFinite(point.smoothedLoss));
  if (finite.length === 0) {
    throw new Error(
      `the LR range test got no finite loss; the first step at ${curve[0]?.lr} returned ${curve[0]?.loss}`,
    );
  }
  const minLossLr = finite.reduce((a, b) => (b.smoothedLoss < a.smoothedLoss ? b : a)).lr;
  // Central differences of smoothed loss against log LR; the most negative slope is the steepest.
  const window = finite.slice(skipStart, finite.length - skipEnd);
  let steepestLr: number | undefined;
  let steepestSlope = Number.POSITIVE_INFINITY;
  for (let i = 1; i < window.length - 1; i++) {
    const before = window[i - 1] as LrRangePoint;
    const after = window[i + 1] as LrRangePoint;
    const slope =
      (after.smoothedLoss - before.smoothedLoss) / (Math.log(after.lr) - Math.log(before.lr));
    if (slope < steepestSlope) {
      steepestSlope = slope;
      steepestLr = (window[i] as LrRangePoint).lr;
    }
  }
  const minLossLrOverTen = minLossLr / 10;
  return { minLossLr, steepestLr, minLossLrOverTen, suggestedLr: steepestLr ?? minLossLrOverTen };
}

/**
 * Narrows a study's LR bounds to [suggestion / 10, suggestion · 3]: a tenth of the steepest-descent
 * LR still learns steadily, three times it nears the minimum-loss LR where the loss turns upward.
 * Kept within the current bounds when the two overlap.
 */
export function narrowLrBounds(
  result: LrRangeResult,
  current?: { low: number; high: number },
): { low: number; high: number } {
  const low = result.suggestedLr / 10;
  const high = result.suggestedLr * 3;
  if (current === undefined || current.high <= low || current.low >= high) return { low, high };
  return { low: Math.max(low, current.low), high: Math.min(high, current.high) };
}
