"use client";
// A row per training setting: how it enters the spec (trainer default, fixed for every trial, or
// searched as a range or among choices) and its values.
import type { ReactNode } from "react";
import { Segmented } from "~/components/segmented.tsx";
import { fieldHint, type SettingDefinition, summaryOf } from "~/lib/study-form/catalogue.ts";
import type { ParamMode, ParamRow } from "~/lib/study-form/form-state.ts";
import { parseChoices } from "~/lib/study-form/values.ts";
import styles from "./new-study.module.css";
import { SettingRowFrame, ValueNote } from "./row-frame.tsx";

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
      summary={summaryOf(setting)}
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
