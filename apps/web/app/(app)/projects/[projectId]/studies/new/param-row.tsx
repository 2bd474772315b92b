"use client";
// A row per training setting: how it enters the spec (trainer default, fixed for every trial, or
// searched as a range or among choices) and its values; and the fields of a sampler or pruner.
import { type ReactNode, useId } from "react";
import { Segmented } from "~/components/segmented.tsx";
import { fieldHint, type SettingDefinition } from "~/lib/study-form/catalogue.ts";
import {
  type AttentionKind,
  attentionKind,
  withAttentionKind,
} from "~/lib/study-form/form-edits.ts";
import type { ParamMode, ParamRow } from "~/lib/study-form/form-state.ts";
import { parseChoices } from "~/lib/study-form/values.ts";
import styles from "./new-study.module.css";

const MODE_LABELS: Record<ParamMode, { label: string; title: string }> = {
  default: { label: "default", title: "Leave it out: the trainer's default applies" },
  fixed: { label: "fixed", title: "One value for every trial" },
  range: { label: "range", title: "Search a range of numbers" },
  choices: { label: "choices", title: "Search among listed values" },
};

function modesOf(setting: SettingDefinition): ParamMode[] {
  const numeric = setting.kind === "int" || setting.kind === "float";
  return numeric ? ["default", "fixed", "range", "choices"] : ["default", "fixed", "choices"];
}

/** A value of an enum or boolean setting: a select of its options. */
function OptionSelect({
  setting,
  value,
  onChange,
  label,
}: {
  setting: SettingDefinition;
  value: string;
  onChange: (value: string) => void;
  label: string;
}) {
  const options = setting.options ?? ["true", "false"];
  return (
    <select aria-label={label} value={value} onChange={(event) => onChange(event.target.value)}>
      {!options.includes(value) && <option value={value}>{value || "—"}</option>}
      {options.map((option) => (
        <option key={option} value={option}>
          {option}
        </option>
      ))}
    </select>
  );
}

/** Choices of an enum or boolean setting: one checkbox per option, in the options' order. */
function OptionChoices({
  setting,
  value,
  onChange,
}: {
  setting: SettingDefinition;
  value: string;
  onChange: (value: string) => void;
}) {
  const options = setting.options ?? ["true", "false"];
  const chosen = parseChoices(value, "enum").map(String);
  const others = chosen.filter((choice) => !options.includes(choice));
  return (
    <>
      {options.map((option) => (
        <label key={option} className={styles.inline}>
          <input
            type="checkbox"
            checked={chosen.includes(option)}
            onChange={(event) => {
              const next = event.target.checked
                ? options.filter((item) => item === option || chosen.includes(item))
                : options.filter((item) => item !== option && chosen.includes(item));
              onChange([...next, ...others].join(", "));
            }}
          />
          {option}
        </label>
      ))}
      {others.length > 0 && <span className={styles.inline}>and {others.join(", ")}</span>}
    </>
  );
}

function ValueInputs({
  setting,
  row,
  onChange,
}: {
  setting: SettingDefinition;
  row: ParamRow;
  onChange: (row: ParamRow) => void;
}) {
  const name = setting.label;
  const numeric = setting.kind === "int" || setting.kind === "float";
  const update = (partial: Partial<ParamRow>) => onChange({ ...row, ...partial });
  /** A number typed as text, so that partial input such as "1e-" survives until it parses. */
  const numberInput = (
    field: "value" | "low" | "high" | "step",
    label: string,
    placeholder?: string,
  ) => (
    <input
      type="text"
      inputMode="decimal"
      className={styles.narrow}
      aria-label={`${name} ${label}`}
      placeholder={placeholder}
      value={row[field]}
      onChange={(event) => update({ [field]: event.target.value })}
    />
  );
  switch (row.mode) {
    case "default":
      return <ValueNote>trainer default: {setting.defaultText}</ValueNote>;
    case "fixed":
      return numeric ? (
        numberInput("value", "value", setting.defaultText)
      ) : (
        <OptionSelect
          setting={setting}
          value={row.value}
          label={`${name} value`}
          onChange={(value) => update({ value })}
        />
      );
    case "range":
      return (
        <>
          {numberInput("low", "low", "low")}
          <span className="muted">to</span>
          {numberInput("high", "high", "high")}
          <label className={styles.inline}>
            <input
              type="checkbox"
              checked={row.log}
              aria-label={`${name} on a log scale`}
              onChange={(event) => update({ log: event.target.checked })}
            />
            log
          </label>
          {!row.log && numberInput("step", "step", "step (optional)")}
        </>
      );
    case "choices":
      return numeric ? (
        <input
          type="text"
          inputMode="decimal"
          className={styles.wide}
          aria-label={`${name} choices`}
          placeholder="comma-separated, e.g. 16, 32"
          value={row.choices}
          onChange={(event) => update({ choices: event.target.value })}
        />
      ) : (
        <OptionChoices
          setting={setting}
          value={row.choices}
          onChange={(choices) => update({ choices })}
        />
      );
  }
}

/** Muted words in a row's values column, where an input would otherwise be. */
function ValueNote({ children }: { children: ReactNode }) {
  return <span className={`muted ${styles.valueNote}`}>{children}</span>;
}

/** The layout every setting row shares: its name, how it is set, its values, a note, its errors. */
function SettingRowFrame({
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

export function ParamRowEditor({
  setting,
  row,
  onChange,
  errors,
  note,
}: {
  setting: SettingDefinition;
  row: ParamRow;
  onChange: (row: ParamRow) => void;
  errors?: readonly string[];
  note?: ReactNode;
}) {
  const modes = modesOf(setting);
  return (
    <SettingRowFrame
      name={setting.name}
      label={setting.label}
      mode={row.mode}
      title={fieldHint(setting)}
      note={note}
      errors={errors}
      modes={
        <Segmented
          className={styles.modes}
          label={`How ${setting.label} is set`}
          value={modes.includes(row.mode) ? row.mode : "default"}
          options={modes.map((mode) => ({ value: mode, ...MODE_LABELS[mode] }))}
          onChange={(mode) => onChange({ ...row, mode })}
        />
      }
    >
      <ValueInputs setting={setting} row={row} onChange={onChange} />
    </SettingRowFrame>
  );
}

const ATTENTION_LABELS: { value: AttentionKind; label: string; title: string }[] = [
  { value: "mha", label: "MHA", title: "Multi-head: a key/value head per query head" },
  { value: "gqa", label: "GQA", title: "Grouped-query: fewer key/value heads, shared by groups" },
  { value: "mqa", label: "MQA", title: "Multi-query: one key/value head" },
  { value: "search", label: "search", title: "Search the number of key/value heads" },
];

/** Attention kind, as the kv_heads setting names it: MHA leaves it out, MQA is 1, GQA in between. */
export function AttentionRow({
  setting,
  row,
  onChange,
  errors,
}: {
  setting: SettingDefinition;
  row: ParamRow;
  onChange: (row: ParamRow) => void;
  errors?: readonly string[];
}) {
  const kind = attentionKind(row);
  return (
    <SettingRowFrame
      name="kv_heads"
      label={setting.label}
      mode={row.mode}
      note={kind !== "mha" && setting.description}
      errors={errors}
      modes={
        <Segmented
          className={styles.modes}
          label="Attention kind"
          value={kind}
          options={ATTENTION_LABELS}
          onChange={(next) => onChange(withAttentionKind(row, next))}
        />
      }
    >
      {kind === "mha" && <ValueNote>key/value heads = heads</ValueNote>}
      {kind === "mqa" && <ValueNote>one key/value head</ValueNote>}
      {kind === "gqa" && (
        <label className={styles.inline}>
          key/value heads
          <input
            type="text"
            inputMode="numeric"
            className={styles.narrow}
            aria-label="Key/value heads"
            value={row.value}
            onChange={(event) => onChange({ ...row, value: event.target.value })}
          />
        </label>
      )}
      {kind === "search" && (
        <input
          type="text"
          inputMode="numeric"
          className={styles.wide}
          aria-label="Key/value heads choices"
          placeholder="comma-separated, e.g. 1, 2, 4"
          value={row.choices}
          onChange={(event) => onChange({ ...row, mode: "choices", choices: event.target.value })}
        />
      )}
    </SettingRowFrame>
  );
}

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
          </label>
        );
      })}
    </div>
  );
}
