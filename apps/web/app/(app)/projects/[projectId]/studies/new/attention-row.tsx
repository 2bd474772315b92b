"use client";
// The kv_heads setting as an attention kind: MHA, GQA, MQA, or a search over key/value heads.
import { Segmented } from "~/components/segmented.tsx";
import { type SettingDefinition, summaryOf } from "~/lib/study-form/catalogue.ts";
import {
  type AttentionKind,
  attentionKind,
  withAttentionKind,
} from "~/lib/study-form/form-edits.ts";
import type { ParamRow } from "~/lib/study-form/form-state.ts";
import styles from "./new-study.module.css";
import { SettingRowFrame, ValueNote } from "./row-frame.tsx";

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
      summary={summaryOf(setting)}
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
