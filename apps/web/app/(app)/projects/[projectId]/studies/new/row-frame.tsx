"use client";
// The layout every setting row shares (a setting's name, how it is set, its values, a note, its
// errors), for the rows of param-row.tsx and attention-row.tsx.
import Link from "next/link";
import type { ReactNode } from "react";
import { REFERENCE_SECTIONS } from "~/lib/spec-reference-links.ts";
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
  summary,
  modes,
  note,
  errors,
  children,
}: {
  name: string;
  label: string;
  mode: ParamMode;
  title?: string;
  /** One line on what the setting does, linked to the spec reference for the rest. */
  summary?: string;
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
      {summary && (
        <p className={styles.rowNote}>
          {summary}{" "}
          <Link
            href={REFERENCE_SECTIONS.settings}
            target="_blank"
            aria-label={`${label} in the spec reference (opens a new tab)`}
          >
            Reference
          </Link>
        </p>
      )}
      {note && <p className={styles.rowNote}>{note}</p>}
      {errors?.map((error) => (
        <p key={error} className={styles.rowError} role="alert">
          {error}
        </p>
      ))}
    </div>
  );
}
