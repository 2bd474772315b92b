"use client";
// The layout every setting row shares (a setting's name, how it is set, its values, a note, its
// errors), for the rows of param-row.tsx and attention-row.tsx.
import type { ReactNode } from "react";
import type { ParamMode } from "~/lib/study-form/form-state.ts";
import styles from "./new-study.module.css";

/** Muted words in a row's values column, where an input would otherwise be. */
export function ValueNote({ children }: { children: ReactNode }) {
  return <span className={`muted ${styles.valueNote}`}>{children}</span>;
}

/** The layout every setting row shares: its name, how it is set, its values, a note, its errors. */
export function SettingRowFrame({
  name,
  label,
  mode,
  title,
  modes,
  note,
  errors,
  children,
}: {
  name: string;
  label: string;
  mode: ParamMode;
  title?: string;
  modes: ReactNode;
  note?: ReactNode;
  errors?: readonly string[];
  children: ReactNode;
}) {
  return (
    <div className={styles.paramRow} data-testid={`param-${name}`} data-mode={mode} title={title}>
      <div className={styles.paramLabel}>
        {label}
        <code>{name}</code>
      </div>
      {modes}
      <div className={styles.values}>{children}</div>
      {note && <p className={styles.rowNote}>{note}</p>}
      {errors?.map((error) => (
        <p key={error} className={styles.rowError} role="alert">
          {error}
        </p>
      ))}
    </div>
  );
}
