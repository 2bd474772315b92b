"use client";
// The best member's parameters by step: the schedule its weights were trained with, one row per
// setting that changes.
import { useMemo } from "react";
import { LazyEChart } from "~/components/lazy-echart.tsx";
import { type ScheduleEntry, scheduleChartHeight, scheduleChartOption } from "~/lib/lineage.ts";
import type { AxisParam } from "~/lib/parallel-coordinates.ts";

export function ScheduleChart({
  schedule,
  settings,
  searchSpace,
  end,
}: {
  schedule: readonly ScheduleEntry[];
  settings: readonly string[];
  searchSpace: Record<string, AxisParam>;
  end: number;
}) {
  const option = useMemo(
    () => scheduleChartOption(schedule, settings, searchSpace, end),
    [schedule, settings, searchSpace, end],
  );
  return (
    <LazyEChart
      option={option}
      ariaLabel={`${settings.join(", ")} of the best member by step`}
      height={scheduleChartHeight(settings.length)}
      testId="schedule-chart"
    />
  );
}
