import { describe, expect, it } from "vitest";
import {
  copyArrows,
  type Lineage,
  lineageChartOption,
  lineageCopies,
  memberLanes,
  roundTip,
  scheduleChartOption,
  settingSteps,
} from "./lineage.ts";

/** Two members over 30 steps: at step 10 member 1 copied member 0 and perturbed its rate. */
const lineage: Lineage = {
  kind: "pbt",
  stepsPerTrial: 30,
  changing: ["lr"],
  bestTrialNumber: 1,
  members: [
    {
      trialId: "a",
      number: 0,
      state: "completed",
      lastStep: 30,
      value: 1.5,
      rounds: [
        {
          step: 0,
          params: { lr: 0.01, layers: 2 },
          copiedFromTrialNumber: null,
          copiedStep: null,
          value: null,
        },
        {
          step: 10,
          params: { lr: 0.01, layers: 2 },
          copiedFromTrialNumber: null,
          copiedStep: null,
          value: 2,
        },
      ],
    },
    {
      trialId: "b",
      number: 1,
      state: "completed",
      lastStep: 30,
      value: 1.25,
      rounds: [
        {
          step: 0,
          params: { lr: 0.001, layers: 2 },
          copiedFromTrialNumber: null,
          copiedStep: null,
          value: null,
        },
        {
          step: 10,
          params: { lr: 0.008, layers: 2 },
          copiedFromTrialNumber: 0,
          copiedStep: 10,
          value: 2.5,
        },
      ],
    },
  ],
  bestSchedule: [
    { step: 0, params: { lr: 0.01, layers: 2 } },
    { step: 10, params: { lr: 0.008, layers: 2 } },
  ],
  replaySpec: null,
};

describe("the lineage chart", () => {
  it("draws each member as a lane to its last step, the best thicker, and an arrow per copy", () => {
    const option = lineageChartOption(lineage);
    expect(option.yAxis.data).toEqual(["#0", "#1"]);
    expect(option.xAxis.max).toBe(30);
    expect(option.series).toHaveLength(3);
    const [first, second] = memberLanes(lineage);
    expect(first?.data.map((point) => point.value)).toEqual([
      [0, "#0"],
      [10, "#0"],
      [30, "#0"],
    ]);
    expect([first?.lineStyle?.width, second?.lineStyle?.width]).toEqual([2, 5]);
    expect(copyArrows(lineage).markLine.data).toEqual([
      [{ coord: [10, "#0"] }, { coord: [10, "#1"] }],
    ]);
    expect(lineageCopies(lineage)).toEqual([{ from: "#0", to: "#1", fromStep: 10, step: 10 }]);
  });

  it("says of a round its value, whom it copied, and the changing settings", () => {
    const member = lineage.members[1] as Lineage["members"][number];
    expect(roundTip(member, member.rounds[1] as never, ["lr"])).toBe(
      "#1 at step 10 · value 2.5 · copied #0 (its checkpoint at step 10) · lr 0.008",
    );
  });
});

describe("the schedule chart", () => {
  it("steps each setting from change to change and holds the last value to the end", () => {
    expect(settingSteps(lineage.bestSchedule ?? [], "lr", 30)).toEqual([
      [0, 0.01],
      [10, 0.008],
      [30, 0.008],
    ]);
  });

  it("gives each setting a row: a log axis where the space is log, the choices for a categorical", () => {
    const option = scheduleChartOption(
      [
        { step: 0, params: { lr: 0.01, schedule: "cosine" } },
        { step: 10, params: { lr: 0.008, schedule: "constant" } },
      ],
      ["lr", "schedule"],
      {
        lr: { type: "float", low: 1e-4, high: 0.1, log: true },
        schedule: { type: "categorical", choices: ["constant", "cosine"] },
      },
      30,
    );
    expect(option.yAxis.map((axis) => axis.type)).toEqual(["log", "category"]);
    expect(option.series.map((series) => [series.step, series.xAxisIndex, series.data])).toEqual([
      [
        "end",
        0,
        [
          [0, 0.01],
          [10, 0.008],
          [30, 0.008],
        ],
      ],
      [
        "end",
        1,
        [
          [0, "cosine"],
          [10, "constant"],
          [30, "constant"],
        ],
      ],
    ]);
    expect(option.grid.map((grid) => grid.top)).toEqual([16, 160]);
  });
});
