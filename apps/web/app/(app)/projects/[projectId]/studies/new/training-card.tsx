"use client";
// The training settings, and the settings of the schedules trials may use.
import { Card } from "~/components/ui.tsx";
import { settingsOf } from "~/lib/study-form/catalogue.ts";
import { activeSchedules, settingApplies } from "~/lib/study-form/form-to-spec.ts";
import styles from "./new-study.module.css";
import { type CardProps, Errors, SettingRow } from "./setting-row.tsx";

export function TrainingCard(props: CardProps) {
  const { form, fieldErrors } = props;
  const schedules = activeSchedules(form);
  const settings = [
    ...settingsOf("training"),
    ...settingsOf("schedule").filter((setting) => settingApplies(setting, schedules)),
  ];
  return (
    <Card title="Training" testId="training">
      <div className={styles.rows}>
        {settings.map((setting) => (
          <SettingRow key={setting.name} {...props} name={setting.name} />
        ))}
      </div>
      <Errors messages={fieldErrors.get("searchSpace")} />
      <Errors messages={fieldErrors.get("fixed")} />
    </Card>
  );
}
