import { describe, expect, it } from "vitest";
import {
  bucketLabels,
  bucketOf,
  formatShare,
  lengthHistogramOption,
  withChosenLength,
} from "./dataset-stats.ts";

describe("the length histogram", () => {
  const histogram = { upperBounds: [8, 16, 32, 64], counts: [3, 0, 5, 1] };

  it("labels each bucket with the lengths it holds", () => {
    expect(bucketLabels(histogram.upperBounds)).toEqual(["≤ 8", "9–16", "17–32", "33–64"]);
  });

  it("finds the bucket of a length", () => {
    expect(bucketOf(histogram.upperBounds, 8)).toBe(0);
    expect(bucketOf(histogram.upperBounds, 9)).toBe(1);
    expect(bucketOf(histogram.upperBounds, 40)).toBe(3);
    expect(bucketOf(histogram.upperBounds, 65)).toBe(-1);
  });

  it("marks the bucket of the recommended length", () => {
    const option = lengthHistogramOption(histogram, 24) as {
      series: { data: { value: number; itemStyle: { color: string } }[] }[];
    };
    const bars = option.series[0]?.data ?? [];
    expect(bars.map((bar) => bar.value)).toEqual([3, 0, 5, 1]);
    const colours = bars.map((bar) => bar.itemStyle.color);
    expect(new Set(colours).size).toBe(2);
    expect(colours.filter((colour) => colour === colours[2])).toHaveLength(1);
  });

  it("names the lengths it counts on its axis", () => {
    const axis = (option: unknown) => (option as { xAxis: { name: string } }).xAxis.name;
    expect(axis(lengthHistogramOption(histogram))).toBe("sample length (tokens)");
    expect(axis(lengthHistogramOption(histogram, undefined, "completion length"))).toBe(
      "completion length (tokens)",
    );
  });
});

describe("formatShare", () => {
  it("reads as a percentage", () => {
    expect(formatShare(0)).toBe("0%");
    expect(formatShare(0.1234)).toBe("12.3%");
    expect(formatShare(1)).toBe("100.0%");
    expect(formatShare(0.0004)).toBe("0.04%");
  });
});

describe("withChosenLength", () => {
  it("puts the chosen length among the candidates once, in order", () => {
    const table = [{ length: 32 }, { length: 64 }, { length: 128 }];
    expect(withChosenLength(table, { length: 120 }).map((row) => row.length)).toEqual([
      32, 64, 120, 128,
    ]);
    expect(withChosenLength(table, { length: 64 })).toEqual(table);
  });
});
