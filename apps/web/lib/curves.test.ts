import { describe, expect, it } from "vitest";
import { alignSeries, seriesExtent, smooth } from "./curves.ts";

describe("smooth", () => {
  it("leaves a curve unchanged at weight 0", () => {
    const points = [
      { step: 1, value: 3 },
      { step: 2, value: 1 },
    ];
    expect(smooth(points, 0)).toEqual(points);
  });

  it("is debiased: a constant curve stays constant from its first point", () => {
    const points = [1, 2, 3, 4].map((step) => ({ step, value: 5 }));
    for (const point of smooth(points, 0.9)) expect(point.value).toBeCloseTo(5, 12);
  });

  it("averages exponentially", () => {
    const [first, second] = smooth(
      [
        { step: 1, value: 0 },
        { step: 2, value: 10 },
      ],
      0.5,
    );
    expect(first?.value).toBe(0);
    // (0.5 * 0 * 0.5 + 0.5 * 10) / (0.5 * 0.5 + 0.5) = 5 / 0.75
    expect(second?.value).toBeCloseTo(5 / 0.75, 12);
  });
});

describe("alignSeries", () => {
  it("puts every series on the union of steps with nulls where a series has no point", () => {
    const { steps, columns } = alignSeries([
      {
        id: "a",
        label: "a",
        points: [
          { step: 1, value: 1 },
          { step: 3, value: 3 },
        ],
      },
      { id: "b", label: "b", points: [{ step: 2, value: 2 }] },
    ]);
    expect(steps).toEqual([1, 2, 3]);
    expect(columns).toEqual([
      [1, null, 3],
      [null, 2, null],
    ]);
  });

  it("drops values a log axis cannot show", () => {
    const { columns } = alignSeries(
      [
        {
          id: "a",
          label: "a",
          points: [
            { step: 1, value: 0 },
            { step: 2, value: -1 },
            { step: 3, value: 2 },
          ],
        },
      ],
      { logScale: true },
    );
    expect(columns).toEqual([[null, null, 2]]);
  });
});

describe("seriesExtent", () => {
  it("counts every point and finds the last step of the longest series", () => {
    const points = (steps: number[]) => steps.map((step) => ({ step, value: 1 }));
    expect(
      seriesExtent([
        { id: "a", label: "a", points: points([10, 20, 30]) },
        { id: "b", label: "b", points: points([10, 20, 30, 40]) },
        { id: "c", label: "c", points: [] },
      ]),
    ).toEqual({ points: 7, lastStep: 40 });
  });

  it("has no last step without points", () => {
    expect(seriesExtent([])).toEqual({ points: 0, lastStep: null });
    expect(seriesExtent([{ id: "a", label: "a", points: [] }])).toEqual({
      points: 0,
      lastStep: null,
    });
  });
});
