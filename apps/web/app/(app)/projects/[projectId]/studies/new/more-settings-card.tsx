"use client";
// The settings most studies leave at their defaults, folded away until one is set.
import { settingsOf } from "~/lib/study-form/catalogue.ts";
import { decidedByModel } from "~/lib/study-form/form-to-spec.ts";
import styles from "./new-study.module.css";
import { type CardProps, SettingRow } from "./setting-row.tsx";

export function MoreSettingsCard(props: CardProps) {
  const more = settingsOf("more").filter((setting) => !decidedByModel(props.form, setting));
  const changed = more.filter((setting) => props.form.settings[setting.name]?.mode !== "default");
  return (
    <details
      className="card"
      open={changed.length > 0 ? true : undefined}
      data-testid="more-settings"
    >
      <summary className={styles.summary}>
        More settings{" "}
        <span className={`muted ${styles.summaryNote}`}>
          optimizer, regularisation, embeddings, tokenizer
          {changed.length > 0 ? ` · ${changed.length} set` : ""}
        </span>
      </summary>
      <div className={`${styles.rows} ${styles.rowsBelow}`}>
        {more.map((setting) => (
          <SettingRow key={setting.name} {...props} name={setting.name} />
        ))}
      </div>
    </details>
  );
}
