"use client";
// One or two objectives: metric and direction; two make the study multi-objective.
import { Segmented } from "~/components/segmented.tsx";
import { Card } from "~/components/ui.tsx";
import { OBJECTIVE_METRICS } from "~/lib/study-form/catalogue.ts";
import { setObjectives } from "~/lib/study-form/form-edits.ts";
import type { StudyForm } from "~/lib/study-form/form-state.ts";
import styles from "./new-study.module.css";
import { type CardProps, Errors } from "./setting-row.tsx";

export function ObjectivesCard({ form, onChange, fieldErrors }: CardProps) {
  const metrics = OBJECTIVE_METRICS.filter(
    (entry) => entry.tasks === undefined || entry.tasks.includes(form.task),
  );
  const setObjective = (index: number, next: StudyForm["objectives"][number]) =>
    onChange(
      setObjectives(
        form,
        form.objectives.map((objective, i) => (i === index ? next : objective)),
      ),
    );
  return (
    <Card title="Objectives" testId="objectives">
      {form.objectives.map((objective, index) => (
        <div
          // biome-ignore lint/suspicious/noArrayIndexKey: objectives are edited in place by position.
          key={index}
          className={styles.listRow}
          data-testid={`objective-${index}`}
        >
          <select
            aria-label={`Objective ${index + 1} metric`}
            value={objective.metric}
            onChange={(event) => {
              const metric = event.target.value;
              const direction =
                OBJECTIVE_METRICS.find((entry) => entry.metric === metric)?.direction ??
                objective.direction;
              setObjective(index, { metric, direction });
            }}
          >
            {!metrics.some((entry) => entry.metric === objective.metric) && (
              <option value={objective.metric}>{objective.metric}</option>
            )}
            {metrics.map((entry) => (
              <option key={entry.metric} value={entry.metric}>
                {entry.label} ({entry.metric})
              </option>
            ))}
          </select>
          <Segmented
            label={`Objective ${index + 1} direction`}
            value={objective.direction}
            options={[
              { value: "minimize", label: "minimize" },
              { value: "maximize", label: "maximize" },
            ]}
            onChange={(direction) => setObjective(index, { ...objective, direction })}
          />
          {index > 0 && (
            <button
              type="button"
              className="button small ghost"
              onClick={() =>
                onChange(
                  setObjectives(
                    form,
                    form.objectives.filter((_, i) => i !== index),
                  ),
                )
              }
            >
              Remove
            </button>
          )}
        </div>
      ))}
      {form.objectives.length < 2 && (
        <button
          type="button"
          className="button small secondary"
          data-testid="add-objective"
          onClick={() => {
            const used = new Set(form.objectives.map((objective) => objective.metric));
            const next =
              metrics.find((entry) => entry.metric === "tokens_per_s" && !used.has(entry.metric)) ??
              metrics.find((entry) => !used.has(entry.metric));
            if (next) {
              onChange(
                setObjectives(form, [
                  ...form.objectives,
                  { metric: next.metric, direction: next.direction },
                ]),
              );
            }
          }}
        >
          Add a second objective (multi-objective)
        </button>
      )}
      {form.objectives.length > 1 && (
        <p className={`muted ${styles.smallNote}`}>
          Two objectives: the study looks for the Pareto front. TPE and the single-objective pruners
          do not apply.
        </p>
      )}
      <Errors messages={fieldErrors.get("objectives")} />
    </Card>
  );
}
