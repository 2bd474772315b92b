"use client";
// The study's name, dataset and task.
import Link from "next/link";
import { TextField } from "~/components/form.tsx";
import { Card } from "~/components/ui.tsx";
import { TASKS, type Task } from "~/lib/study-form/catalogue.ts";
import type { RouterOutputs } from "~/lib/trpc.tsx";
import styles from "./new-study.module.css";
import { type CardProps, Errors } from "./setting-row.tsx";

export type Dataset = RouterOutputs["datasets"]["list"][number];

/** The dataset a spec names, by name or id. */
export function findDataset(datasets: readonly Dataset[], reference: string): Dataset | undefined {
  return datasets.find((dataset) => dataset.name === reference || dataset.id === reference);
}

export function StudyCard({
  form,
  onChange,
  fieldErrors,
  datasets,
  datasetsLoading,
  projectId,
  nameTaken,
}: CardProps & {
  datasets: readonly Dataset[];
  datasetsLoading: boolean;
  projectId: string;
  nameTaken: boolean;
}) {
  const known = findDataset(datasets, form.dataset);
  return (
    <Card title="Study">
      <div className="form-grid">
        <TextField
          label="Name"
          type="text"
          data-testid="study-name"
          value={form.name}
          aria-invalid={nameTaken || undefined}
          onChange={(name) => onChange({ ...form, name })}
        >
          <Errors
            messages={[
              ...(nameTaken ? ["The project already has a study with this name."] : []),
              ...(fieldErrors.get("name") ?? []),
            ]}
          />
        </TextField>
        <label className="field">
          <span>Dataset</span>
          <select
            data-testid="study-dataset"
            value={form.dataset}
            onChange={(event) => {
              // A dataset declares its task (instruction data trains instruction studies).
              const chosen = datasets.find((dataset) => dataset.name === event.target.value);
              onChange({ ...form, dataset: event.target.value, task: chosen?.task ?? form.task });
            }}
          >
            {!known && (
              <option value={form.dataset}>
                {datasetsLoading ? "Loading…" : form.dataset || "Choose a dataset"}
              </option>
            )}
            {datasets.map((dataset) => (
              <option key={dataset.id} value={dataset.name}>
                {dataset.name}
              </option>
            ))}
          </select>
          <Errors messages={fieldErrors.get("dataset")} />
        </label>
        <label className="field">
          <span>Task</span>
          <select
            value={form.task}
            onChange={(event) => onChange({ ...form, task: event.target.value as Task })}
          >
            {TASKS.map((task) => (
              <option key={task.value} value={task.value}>
                {task.label}
              </option>
            ))}
          </select>
          <Errors messages={fieldErrors.get("task")} />
        </label>
      </div>
      {!datasetsLoading && datasets.length === 0 && (
        <p className={`notice ${styles.lastNotice}`}>
          This project has no datasets yet. <Link href={`/projects/${projectId}`}>Add one</Link>{" "}
          first: a study trains on one of its project's datasets.
        </p>
      )}
    </Card>
  );
}
