import { describe, expect, it } from "vitest";
import { type CurvePoint, downsampleMinMax } from "../src/downsample.ts";

const series = (values: number[]): CurvePoint[] => values.map((value, step) => ({ step, value }));

describe("downsampleMinMax", () => {
  it("returns a short series as it is", () => {
    const points = series([3, 1, 2]);
    expect(downsampleMinMax(points, 5)).toEqual(points);
  });

  it("keeps at most maxPoints, in step order", () => {
    const points = series(Array.from({ length: 10_001 }, (_, i) => Math.sin(i / 50)));
    const kept = downsampleMinMax(points, 300);
    expect(kept.length).toBeLessThanOrEqual(300);
    expect(kept.length).toBeGreaterThan(250);
    const steps = kept.map((point) => point.step);
    expect(steps).toEqual([...steps].sort((a, b) => a - b));
  });

  it("keeps a spike and a dip that striding would miss", () => {
    const values = Array.from({ length: 1000 }, () => 1);
    values[333] = 50;
    values[667] = -7;
    const kept = downsampleMinMax(series(values), 10);
    expect(kept).toContainEqual({ step: 333, value: 50 });
    expect(kept).toContainEqual({ step: 667, value: -7 });
  });

  it("keeps one point of a flat bucket", () => {
    expect(downsampleMinMax(series([2, 2, 2, 2]), 2)).toEqual([{ step: 0, value: 2 }]);
  });
});
