// Curves with more points than a chart can show are thinned before they leave the server.

export interface CurvePoint {
  step: number;
  value: number;
}

/**
 * At most `maxPoints` of `points` (sorted by step): the series cut into maxPoints / 2 buckets of
 * consecutive points, each kept as its lowest and highest point in step order. Unlike averaging or
 * striding, this keeps spikes and divergences visible, which is what people look for in a loss curve.
 */
export function downsampleMinMax(points: readonly CurvePoint[], maxPoints: number): CurvePoint[] {
  if (points.length <= maxPoints) return [...points];
  const buckets = Math.max(1, Math.floor(maxPoints / 2));
  const kept: CurvePoint[] = [];
  for (let bucket = 0; bucket < buckets; bucket++) {
    const start = Math.floor((bucket * points.length) / buckets);
    const end = Math.floor(((bucket + 1) * points.length) / buckets);
    let low = start;
    let high = start;
    for (let i = start + 1; i < end; i++) {
      if ((points[i] as CurvePoint).value < (points[low] as CurvePoint).value) low = i;
      if ((points[i] as CurvePoint).value > (points[high] as CurvePoint).value) high = i;
    }
    for (const i of low === high ? [low] : [Math.min(low, high), Math.max(low, high)]) {
      kept.push(points[i] as CurvePoint);
    }
  }
  return kept.slice(0, maxPoints);
}
