"use client";
// What every card of the form shares: its props, a setting's row by name, and error messages.
import type { ReactNode } from "react";
import { type SettingDefinition, settingDefinition } from "~/lib/study-form/catalogue.ts";
import type { ParamRow, StudyForm } from "~/lib/study-form/form-state.ts";
import { AttentionRow } from "./attention-row.tsx";
import styles from "./new-study.module.css";
import { ParamRowEditor } from "./param-row.tsx";

export interface CardProps {
  form: StudyForm;
  onChange: (form: StudyForm) => void;
  /** Validation messages by form section (errorField). */
  fieldErrors: ReadonlyMap<string, string[]>;
}

export function Errors({ messages }: { messages: readonly string[] | undefined }) {
  if (!messages || messages.length === 0) return null;
  return (
    <>
      {messages.map((message) => (
        <p key={message} className={styles.fieldError} role="alert">
          {message}
        </p>
      ))}
    </>
  );
}

/** A row for one setting of the catalogue, by name. */
export function SettingRow({
  name,
  form,
  onChange,
  fieldErrors,
  note,
}: CardProps & { name: string; note?: ReactNode }) {
  const setting = settingDefinition(name) as SettingDefinition;
  const row = form.settings[name] as ParamRow;
  const set = (next: ParamRow) =>
    onChange({ ...form, settings: { ...form.settings, [name]: next } });
  if (name === "kv_heads") {
    return (
      <AttentionRow setting={setting} row={row} onChange={set} errors={fieldErrors.get(name)} />
    );
  }
  return (
    <ParamRowEditor
      setting={setting}
      row={row}
      onChange={set}
      errors={fieldErrors.get(name)}
      note={note}
    />
  );
}
