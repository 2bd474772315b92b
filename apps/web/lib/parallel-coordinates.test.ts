import { describe, expect, it } from "vitest";
import {
  colourRange,
  GOOD_TO_BAD,
  goodToBad,
  MISSING,
  NO_VALUE_COLOR,
  parallelCoordinatesOption,
  RUNNING_COLOR,
  trialColors,
} from "./parallel-coordinates.ts";
import type { TableTrial } from "./trial-table.ts";

function trial(number: number, values: number[] | null, params: Record<string, unknown>) {
  return {
    id: `t${number}`,
    number,
    state: values ? "completed" : "running",
    values,
    params,
    lastStep: 0,
    attempts: 1,
    startedAt: null,
    finishedAt: null,
  } satisfies TableTrial;
}

const searchSpace = {
  lr: { type: "float", low: 1e-4, high: 1e-1, log: true },
  layers: { type: "int", low: 1, high: 8 },
  norm: { type: "categorical", choices: ["pre", "post"] },
  heads: { type: "fixed", value: 4 },
} as const;

describe("parallelCoordinatesOption", () => {
  const option = parallelCoordinatesOption({
    searchSpace,
    parameters: ["lr", "layers", "norm", "heads", "dropout"],
    objectives: [
      { metric: "val_loss", direction: "minimize" },
      { metric: "param_count", direction: "minimize" },
    ],
    trials: [
      trial(0, [2, 1000], { lr: 0.01, layers: 2, norm: "pre", dropout: 0.1 }),
      trial(1, [1, 5000], { lr: 0.001, layers: 6, norm: "post" }),
      trial(2, null, { lr: 0.002, layers: 3, norm: "pre", dropout: 0 }),
      trial(3, [Number.NaN, 1], { lr: 0.002, layers: 3, norm: "pre" }),
    ],
  });

  it("has a log axis for a log parameter, categories for categorical ones, none for fixed ones", () => {
    expect(option.parallelAxis.map((axis) => [axis.name, axis.type])).toEqual([
      ["lr", "log"],
      ["layers", "value"],
      ["norm", "category"],
      ["dropout", "category"],
      ["val_loss", "value"],
      ["param_count", "value"],
    ]);
    expect(option.parallelAxis[1]).toMatchObject({ min: 1, max: 8 });
    expect(option.parallelAxis[2]?.data).toEqual(["pre", "post"]);
    // A parameter outside the space is shown by its values, with a mark where a trial lacks it.
    expect(option.parallelAxis[3]?.data).toEqual(["0.1", MISSING]);
    expect(option.parallelAxis.map((axis) => axis.dim)).toEqual([0, 1, 2, 3, 4, 5]);
  });

  it("draws only trials with every objective's value, named by trial id", () => {
    expect(option.series[0]?.data).toEqual([
      { name: "t0", value: [0.01, 2, "pre", "0.1", 2, 1000] },
      { name: "t1", value: [0.001, 6, "post", MISSING, 1, 5000] },
    ]);
  });

  it("colours by the first objective, best first", () => {
    expect(option.visualMap).toMatchObject({ dimension: 4, min: 1, max: 2 });
    expect(option.visualMap?.inRange.color).toEqual(GOOD_TO_BAD);
    const maximized = parallelCoordinatesOption({
      searchSpace,
      parameters: ["lr"],
      objectives: [{ metric: "tokens_per_s", direction: "maximize" }],
      trials: [trial(0, [5], { lr: 0.01 })],
    });
    expect(maximized.visualMap?.inRange.color).toEqual([...GOOD_TO_BAD].reverse());
    // One trial still gives the colour scale a range.
    expect(maximized.visualMap).toMatchObject({ min: 5, max: 6, dimension: 1 });
  });

  it("draws trials that broke a constraint grey and dashed, outside the colour scale", () => {
    const constrained = parallelCoordinatesOption({
      searchSpace,
      parameters: ["lr"],
      objectives: [{ metric: "val_loss", direction: "minimize" }],
      trials: [
        { ...trial(0, [1], { lr: 0.01 }), feasibility: { feasible: false } },
        { ...trial(1, [2], { lr: 0.02 }), feasibility: { feasible: true } },
        { ...trial(2, [3], { lr: 0.03 }), feasibility: null },
      ],
    });
    const [feasible, infeasible] = constrained.series;
    expect(feasible?.data.map((item) => item.name)).toEqual(["t1", "t2"]);
    expect(infeasible?.data.map((item) => item.name)).toEqual(["t0"]);
    expect(infeasible?.lineStyle).toMatchObject({ color: NO_VALUE_COLOR, type: "dashed" });
    // The best feasible value is the scale's best end; the infeasible 1 is not on it.
    expect(constrained.visualMap).toMatchObject({ seriesIndex: 0, min: 2, max: 3 });
  });

  it("labels the colour scale's ends with the decimals that tell them apart", () => {
    expect(option.visualMap?.precision).toBe(1);
    const close = parallelCoordinatesOption({
      searchSpace,
      parameters: ["lr"],
      objectives: [{ metric: "val_loss", direction: "minimize" }],
      trials: [trial(0, [3.08], { lr: 0.01 }), trial(1, [3.16], { lr: 0.02 })],
    });
    expect(close.visualMap).toMatchObject({ min: 3.08, max: 3.16, precision: 3 });
  });
});

describe("colourRange", () => {
  it("spans the best to the 90th percentile, leaving outliers at the bad end", () => {
    const scores = [...Array.from({ length: 10 }, (_, i) => 1 + i / 10), 50];
    expect(colourRange(scores, false)).toEqual([1, 1.9]);
    expect(
      colourRange(
        scores.map((score) => -score),
        true,
      ),
    ).toEqual([-1.9, -1]);
    expect(colourRange([], false)).toEqual([0, 1]);
    expect(colourRange([3, 3], false)).toEqual([3, 4]);
  });
});

describe("trialColors", () => {
  it("colours by rank on the first objective, running trials and trials without values apart", () => {
    const trials = [
      trial(0, [3], {}),
      trial(1, [1], {}),
      trial(2, null, {}),
      { ...trial(3, null, {}), state: "pruned" },
      trial(4, [2], {}),
    ];
    const minimized = trialColors(trials, { metric: "val_loss", direction: "minimize" });
    expect(minimized.get("t1")).toBe(GOOD_TO_BAD[0]);
    expect(minimized.get("t4")).toBe(goodToBad(0.5));
    expect(minimized.get("t0")).toBe(GOOD_TO_BAD.at(-1));
    expect(minimized.get("t2")).toBe(RUNNING_COLOR);
    expect(minimized.get("t3")).toBe(NO_VALUE_COLOR);
    const maximized = trialColors(trials, { metric: "tokens_per_s", direction: "maximize" });
    expect(maximized.get("t0")).toBe(GOOD_TO_BAD[0]);
  });

  it("blends between the stops", () => {
    expect(goodToBad(0)).toBe(GOOD_TO_BAD[0]);
    expect(goodToBad(1)).toBe(GOOD_TO_BAD.at(-1));
    expect(goodToBad(0.125)).toMatch(/^#[0-9a-f]{6}$/);
    expect(goodToBad(-1)).toBe(GOOD_TO_BAD[0]);
  });
});
