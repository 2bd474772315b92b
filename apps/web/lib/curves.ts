// Curves as charts draw them: each series smoothed on its own points, then all of them laid on
// one shared x axis (uPlot's aligned columns). Steps are integers bounded by the longest trial,
// so the shared axis stays as long as one trial's curve, however many trials there are.

export interface CurvePoint {
  step: number;
  value: number;
}

export interface LineSeries {
  id: string;
  label: string;
  points: readonly CurvePoint[];
  /** The curve's colour; by default the n-th colour of the palette (seriesColor). */
  color?: string;
}

/**
 * TensorBoard's smoothing: an exponential moving average, debiased so the first points are not
 * pulled towards zero. `weight` 0 leaves the curve as it is; 0.99 smooths the most.
 */
export function smooth(points: readonly CurvePoint[], weight: number): CurvePoint[] {
  if (weight <= 0) return [...points];
  let average = 0;
  let debias = 0;
  const smoothed: CurvePoint[] = [];
  for (const point of points) {
    if (!Number.isFinite(point.value)) {
      smoothed.push(point);
      continue;
    }
    average = average * weight + (1 - weight) * point.value;
    debias = debias * weight + (1 - weight);
    smoothed.push({ step: point.step, value: average / debias });
  }
  return smoothed;
}

/** One x column of every step any series has, and one y column per series (null where absent). */
export function alignSeries(
  series: readonly LineSeries[],
  { smoothing = 0, logScale = false }: { smoothing?: number; logScale?: boolean } = {},
): { steps: number[]; columns: (number | null)[][] } {
  const curves = series.map((entry) => smooth(entry.points, smoothing));
  const steps = [...new Set(curves.flatMap((points) => points.map((point) => point.step)))].sort(
    (a, b) => a - b,
  );
  const index = new Map(steps.map((step, position) => [step, position]));
  const columns = curves.map((points) => {
    const column: (number | null)[] = new Array(steps.length).fill(null);
    for (const { step, value } of points) {
      // A log axis cannot show zero or negative values; a non-finite value cannot be drawn at all.
      const drawable = Number.isFinite(value) && (!logScale || value > 0);
      column[index.get(step) as number] = drawable ? value : null;
    }
    return column;
  });
  return { steps, columns };
}

/**
 * How many points the series hold and the last step any of them reaches (each series in step
 * order): what a chart shows, for tests and tools that cannot read its canvas.
 */
export function seriesExtent(series: readonly LineSeries[]): {
  points: number;
  lastStep: number | null;
} {
  let points = 0;
  let lastStep: number | null = null;
  for (const entry of series) {
    points += entry.points.length;
    const last = entry.points.at(-1)?.step;
    if (last !== undefined && (lastStep === null || last > lastStep)) lastStep = last;
  }
  return { points, lastStep };
}

const PALETTE = [
  "#3b5bdb",
  "#e8590c",
  "#2f9e44",
  "#c2255c",
  "#7048e8",
  "#1098ad",
  "#f08c00",
  "#5c940d",
  "#d6336c",
  "#495057",
];

/** A stable colour for the n-th series. */
export function seriesColor(position: number): string {
  return PALETTE[position % PALETTE.length] as string;
}
