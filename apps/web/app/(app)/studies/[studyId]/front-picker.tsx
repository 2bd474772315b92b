"use client";
// Which trial of the Pareto front to export: no one trial is best on every objective, so the
// reader chooses the trade-off; each choice reads with its values.
import { useId } from "react";
import { formatNumber } from "~/lib/format.ts";
import type { FrontTrial } from "./study-data.ts";

export function FrontPicker({
  front,
  objectives,
  value,
  onChange,
}: {
  front: readonly FrontTrial[];
  objectives: readonly string[];
  value: number;
  onChange: (trialNumber: number) => void;
}) {
  const id = useId();
  const sorted = [...front].sort((a, b) => (a.values[0] as number) - (b.values[0] as number));
  return (
    <span className="row">
      <label htmlFor={id}>Pareto trial</label>
      <select
        id={id}
        value={value}
        onChange={(event) => onChange(Number(event.target.value))}
        data-testid="front-picker"
      >
        {sorted.map((trial) => (
          <option key={trial.number} value={trial.number}>
            #{trial.number}:{" "}
            {objectives
              .map((metric, index) => `${metric} ${formatNumber(trial.values[index])}`)
              .join(", ")}
          </option>
        ))}
      </select>
    </span>
  );
}
