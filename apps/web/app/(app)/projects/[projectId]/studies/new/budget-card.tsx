"use client";
// How many trials, how long each, how many at once, and the study's seed.
import { TextField } from "~/components/form.tsx";
import { Card } from "~/components/ui.tsx";
import { settingsOf } from "~/lib/study-form/catalogue.ts";
import type { StudyForm } from "~/lib/study-form/form-state.ts";
import styles from "./new-study.module.css";
import { type CardProps, Errors, SettingRow } from "./setting-row.tsx";

export function BudgetCard(props: CardProps) {
  const { form, onChange, fieldErrors } = props;
  const budget = form.budget;
  const setBudget = (partial: Partial<StudyForm["budget"]>) =>
    onChange({ ...form, budget: { ...budget, ...partial } });
  const lengthKey = budget.unit === "steps" ? "budget.stepsPerTrial" : "budget.tokensPerTrial";
  return (
    <Card title="Budget" testId="budget">
      <div className="form-grid">
        <TextField
          label="Trials"
          type="text"
          inputMode="numeric"
          data-testid="budget-trials"
          value={budget.trials}
          onChange={(trials) => setBudget({ trials })}
        >
          <Errors messages={fieldErrors.get("budget.trials")} />
        </TextField>
        <TextField
          label="In parallel"
          type="text"
          inputMode="numeric"
          placeholder="1"
          value={budget.parallelTrials}
          onChange={(parallelTrials) => setBudget({ parallelTrials })}
        >
          <Errors messages={fieldErrors.get("budget.parallelTrials")} />
        </TextField>
        <div className="field">
          <span>Length of a trial</span>
          <div className={`row ${styles.lengthInputs}`}>
            <input
              type="text"
              inputMode="numeric"
              aria-label={`Length of a trial in ${budget.unit}`}
              data-testid="budget-length"
              className={styles.lengthInput}
              value={budget.length}
              onChange={(event) => setBudget({ length: event.target.value })}
            />
            <select
              aria-label="Unit of a trial's length"
              value={budget.unit}
              onChange={(event) =>
                setBudget({ unit: event.target.value as StudyForm["budget"]["unit"] })
              }
            >
              <option value="steps">steps</option>
              <option value="tokens">tokens</option>
            </select>
          </div>
          <Errors
            messages={fieldErrors.get(lengthKey) ?? fieldErrors.get("budget.stepsPerTrial")}
          />
        </div>
        <TextField
          label="Wall-time limit (minutes)"
          type="text"
          inputMode="decimal"
          placeholder="none"
          value={budget.wallTimeMinutes}
          onChange={(wallTimeMinutes) => setBudget({ wallTimeMinutes })}
        >
          <Errors messages={fieldErrors.get("budget.wallTimeMinutes")} />
        </TextField>
        <TextField
          label="Seed"
          type="text"
          inputMode="numeric"
          data-testid="study-seed"
          placeholder="drawn at creation"
          value={form.seed}
          onChange={(seed) => onChange({ ...form, seed })}
        >
          <Errors messages={fieldErrors.get("seed")} />
        </TextField>
      </div>
      <div className={`${styles.rows} ${styles.rowsBelow}`}>
        {settingsOf("budget").map((setting) => (
          <SettingRow key={setting.name} {...props} name={setting.name} />
        ))}
      </div>
      <Errors messages={fieldErrors.get("budget")} />
    </Card>
  );
}
