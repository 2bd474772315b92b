// The charts of a population-based study's lineage (lineage.get): each member as a lane over the
// steps with its rounds and the copies between lanes (PBT's exploit), and the best member's
// parameters by step (the schedule its weights were trained with).

import { seriesColor } from "./curves.ts";
import { formatNumber } from "./format.ts";
import type { AxisParam } from "./parallel-coordinates.ts";
import type { RouterOutputs } from "./trpc.tsx";

export type Lineage = RouterOutputs["lineage"]["get"];
export type LineageMember = Lineage["members"][number];
export type ScheduleEntry = NonNullable<Lineage["bestSchedule"]>[number];
type ParamValue = number | string | boolean;

/** A member's lane name on the lineage chart. */
export function laneName(number: number): string {
  return `#${number}`;
}

function describeParams(params: Record<string, ParamValue>, names: readonly string[]): string {
  const shown = names.length > 0 ? names : Object.keys(params);
  return shown
    .filter((name) => params[name] !== undefined)
    .map((name) => {
      const value = params[name];
      return `${name} ${typeof value === "number" ? formatNumber(value) : String(value)}`;
    })
    .join(", ");
}

/** What a round's point says when hovered. */
export function roundTip(
  member: LineageMember,
  round: LineageMember["rounds"][number],
  changing: readonly string[],
): string {
  const parts = [`${laneName(member.number)} at step ${round.step}`];
  if (round.value !== null) parts.push(`value ${formatNumber(round.value)}`);
  if (round.copiedFromTrialNumber !== null) {
    parts.push(
      `copied ${laneName(round.copiedFromTrialNumber)} (its checkpoint at step ${round.copiedStep})`,
    );
  }
  parts.push(describeParams(round.params, changing));
  return parts.join(" · ");
}

/** The copies of a lineage: from the source's lane at the checkpoint's step to the copier's. */
export function lineageCopies(lineage: Lineage) {
  return lineage.members.flatMap((member) =>
    member.rounds.flatMap((round) =>
      round.copiedFromTrialNumber === null
        ? []
        : [
            {
              from: laneName(round.copiedFromTrialNumber),
              to: laneName(member.number),
              fromStep: round.copiedStep ?? round.step,
              step: round.step,
            },
          ],
    ),
  );
}

/** A line series per member: its lane from step 0 to its last step, a point at each round. */
export function memberLanes(lineage: Lineage) {
  return lineage.members.map((member, position) => {
    const lane = laneName(member.number);
    const best = member.number === lineage.bestTrialNumber;
    const points = member.rounds.map((round) => ({
      value: [round.step, lane],
      tip: roundTip(member, round, lineage.changing),
      symbol: round.copiedFromTrialNumber === null ? "circle" : "diamond",
      symbolSize: round.copiedFromTrialNumber === null ? 7 : 11,
    }));
    const end = member.rounds.at(-1)?.step ?? 0;
    if (member.lastStep > end) {
      points.push({
        value: [member.lastStep, lane],
        tip: `${lane} at step ${member.lastStep} · ${member.state}${member.value === null ? "" : ` · final ${formatNumber(member.value)}`}`,
        symbol: "rect",
        symbolSize: 6,
      });
    }
    return {
      type: "line",
      name: lane,
      data: points,
      color: seriesColor(position),
      lineStyle: { width: best ? 5 : 2 },
      z: best ? 3 : 2,
    };
  });
}

/** The copies as dashed arrows between lanes, on a series of their own. */
export function copyArrows(lineage: Lineage) {
  return {
    type: "line",
    name: "copies",
    data: [],
    markLine: {
      silent: true,
      symbol: ["none", "arrow"],
      symbolSize: 9,
      label: { show: false },
      lineStyle: { type: "dashed", color: "#495057", width: 1.5 },
      data: lineageCopies(lineage).map((copy) => [
        { coord: [copy.fromStep, copy.from] },
        { coord: [copy.step, copy.to] },
      ]),
    },
  };
}

/** Members as lanes over the steps, the best member's thicker, with an arrow for each copy. */
export function lineageChartOption(lineage: Lineage) {
  const lastStep = Math.max(lineage.stepsPerTrial ?? 0, ...lineage.members.map((m) => m.lastStep));
  return {
    animation: false,
    grid: { left: 56, right: 24, top: 16, bottom: 44 },
    tooltip: {
      trigger: "item",
      formatter: (item: { data?: { tip?: string } }) => item.data?.tip ?? "",
    },
    xAxis: {
      type: "value",
      name: "step",
      nameLocation: "middle",
      nameGap: 28,
      min: 0,
      max: lastStep,
    },
    yAxis: {
      type: "category",
      data: lineage.members.map((member) => laneName(member.number)),
      inverse: true,
    },
    series: [...memberLanes(lineage), copyArrows(lineage)],
  };
}

/** The schedule's entries as [step, value] for one setting, held to `end`. */
export function settingSteps(
  schedule: readonly ScheduleEntry[],
  name: string,
  end: number,
): [number, ParamValue][] {
  const points = schedule.flatMap((entry): [number, ParamValue][] => {
    const value = entry.params[name];
    return value === undefined ? [] : [[entry.step, value]];
  });
  const last = points.at(-1);
  if (last !== undefined && last[0] < end) points.push([end, last[1]]);
  return points;
}

const ROW_HEIGHT = 110;
const ROW_GAP = 34;

/** The height the schedule chart needs for `rows` settings. */
export function scheduleChartHeight(rows: number): number {
  return rows * (ROW_HEIGHT + ROW_GAP) + 30;
}

/**
 * One row per changing setting of a schedule, stepped: a value axis (log where the search space is)
 * for numbers, the choices for a categorical one.
 */
export function scheduleChartOption(
  schedule: readonly ScheduleEntry[],
  settings: readonly string[],
  searchSpace: Record<string, AxisParam>,
  end: number,
) {
  const rows = settings.map((name, row) => {
    const param = searchSpace[name];
    const top = 16 + row * (ROW_HEIGHT + ROW_GAP);
    const categories =
      param?.type === "categorical" ? param.choices.map((choice) => String(choice)) : undefined;
    const log = (param?.type === "float" || param?.type === "int") && param.log === true;
    return {
      grid: { left: 72, right: 24, top, height: ROW_HEIGHT },
      xAxis: {
        type: "value",
        gridIndex: row,
        min: 0,
        max: end,
        name: row === settings.length - 1 ? "step" : "",
      },
      yAxis: categories
        ? { type: "category", gridIndex: row, data: categories, name }
        : { type: log ? "log" : "value", gridIndex: row, name, scale: true },
      series: {
        type: "line",
        name,
        step: "end",
        xAxisIndex: row,
        yAxisIndex: row,
        color: seriesColor(row),
        symbolSize: 6,
        data: settingSteps(schedule, name, end).map(([step, value]) => [
          step,
          categories ? String(value) : value,
        ]),
      },
    };
  });
  return {
    animation: false,
    tooltip: { trigger: "axis" },
    grid: rows.map((row) => row.grid),
    xAxis: rows.map((row) => row.xAxis),
    yAxis: rows.map((row) => row.yAxis),
    series: rows.map((row) => row.series),
  };
}
