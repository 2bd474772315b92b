"use client";
// The settings of a sampler or pruner, as core's schema lists them.
import { useId } from "react";
import { fieldHint, type SettingDefinition, summaryOf } from "~/lib/study-form/catalogue.ts";
import styles from "./new-study.module.css";

/** The fields of a sampler or pruner; a blank field leaves the setting out (its default applies). */
export function OptionFields({
  fields,
  values,
  onChange,
  testId,
}: {
  fields: readonly SettingDefinition[];
  values: Record<string, string>;
  onChange: (values: Record<string, string>) => void;
  testId?: string;
}) {
  const id = useId();
  if (fields.length === 0) return null;
  return (
    <div className={styles.optionGrid} data-testid={testId}>
      {fields.map((field) => {
        const value = values[field.name] ?? "";
        const set = (next: string) => onChange({ ...values, [field.name]: next });
        const inputId = `${id}-${field.name}`;
        return (
          <label key={field.name} className="field" htmlFor={inputId} title={fieldHint(field)}>
            <span>
              {field.label}
              {field.required ? " *" : ""}
            </span>
            {field.kind === "bool" || field.kind === "enum" ? (
              <select id={inputId} value={value} onChange={(event) => set(event.target.value)}>
                <option value="">default ({field.defaultText})</option>
                {(field.options ?? ["true", "false"]).map((option) => (
                  <option key={option} value={option}>
                    {option}
                  </option>
                ))}
              </select>
            ) : (
              <input
                id={inputId}
                type="text"
                inputMode="decimal"
                value={value}
                required={field.required}
                placeholder={field.defaultText ?? "required"}
                onChange={(event) => set(event.target.value)}
              />
            )}
            <span className="hint">{summaryOf(field)}</span>
          </label>
        );
      })}
    </div>
  );
}
