// A dataset's sample-length histogram as a bar chart, with the bucket a sequence length falls in
// marked, and the shares the sequence-length recommendation reports.
import type { EChartsCoreOption } from "echarts/core";

export interface LengthHistogram {
  /** Bucket upper bounds in tokens, ascending; a sample counts in the first bucket it fits. */
  upperBounds: readonly number[];
  counts: readonly number[];
}

/** "≤ 8", "9–16", "17–32", …: the lengths each bucket holds. */
export function bucketLabels(upperBounds: readonly number[]): string[] {
  return upperBounds.map((upper, index) =>
    index === 0 ? `≤ ${upper}` : `${(upperBounds[index - 1] ?? 0) + 1}–${upper}`,
  );
}

/** The bucket a sample of `length` tokens counts in; -1 when it is longer than every bucket. */
export function bucketOf(upperBounds: readonly number[], length: number): number {
  return upperBounds.findIndex((upper) => length <= upper);
}

const BAR = "#3b5bdb";
const MARKED = "#f08c00";

/**
 * Bars of sample counts per length bucket; the bucket holding `markedLength` stands out. `lengths`
 * names what is measured: whole samples, or the prompts or completions of instruction data.
 */
export function lengthHistogramOption(
  histogram: LengthHistogram,
  markedLength?: number,
  lengths = "sample length",
): EChartsCoreOption {
  const marked = markedLength === undefined ? -1 : bucketOf(histogram.upperBounds, markedLength);
  return {
    animation: false,
    grid: { left: 56, right: 16, top: 32, bottom: 56 },
    tooltip: { trigger: "axis", axisPointer: { type: "shadow" } },
    xAxis: {
      type: "category",
      data: bucketLabels(histogram.upperBounds),
      name: `${lengths} (tokens)`,
      nameLocation: "middle",
      nameGap: 36,
    },
    yAxis: { type: "value", name: "samples", minInterval: 1 },
    series: [
      {
        type: "bar",
        name: "samples",
        data: histogram.counts.map((count, index) => ({
          value: count,
          itemStyle: { color: index === marked ? MARKED : BAR },
        })),
      },
    ],
  };
}

/** 0.1234 → "12.3%". */
export function formatShare(share: number): string {
  if (share === 0) return "0%";
  const percent = share * 100;
  return `${percent < 0.1 ? percent.toPrecision(1) : percent.toFixed(1)}%`;
}

/** The candidate lengths' costs with the chosen length among them, once, in ascending order. */
export function withChosenLength<T extends { length: number }>(
  table: readonly T[],
  chosen: T,
): T[] {
  const rows = table.some((row) => row.length === chosen.length) ? [...table] : [...table, chosen];
  return rows.sort((a, b) => a.length - b.length);
}
