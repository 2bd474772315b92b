"use client";
// A population-based study's members as lanes over the steps: a point at each round (a diamond
// where the member copied another), a dashed arrow from the copied member's lane, the best member
// drawn thicker. Hovering a point says its value, the copy and the parameters from there on.
import { useMemo } from "react";
import { LazyEChart } from "~/components/lazy-echart.tsx";
import { type Lineage, lineageChartOption } from "~/lib/lineage.ts";

export function LineageChart({ lineage }: { lineage: Lineage }) {
  const option = useMemo(() => lineageChartOption(lineage), [lineage]);
  return (
    <LazyEChart
      option={option}
      ariaLabel={`Lineage of ${lineage.members.length} members over ${option.xAxis.max} steps`}
      height={Math.max(160, 34 * lineage.members.length + 70)}
      testId="lineage-chart"
    />
  );
}
