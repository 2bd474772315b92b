// The trial the form stands for, as a recommendation's cost is weighed against it: each searched
// number at its largest (the costliest trial the search may draw), so that a warning errs towards
// the long side; and the budget a trial and the study have.
import type { Budget, ParamValue } from "@attune/core/spec";
import { SETTINGS } from "./catalogue.ts";
import type { StudyForm } from "./form-state.ts";
import { parseChoices, parseValue } from "./values.ts";

/**
 * The settings of the form's costliest trial: fixed values, the high end of ranges and the largest
 * of numeric choices (the first of other choices). A number still being typed is left to its
 * default rather than failing the whole estimate, as is an option that is not one yet.
 */
export function costliestTrial(form: StudyForm): Record<string, ParamValue> {
  const settings: Record<string, ParamValue> = {};
  for (const setting of SETTINGS) {
    const row = form.settings[setting.name];
    if (!row || row.mode === "default") continue;
    const numeric = setting.kind === "int" || setting.kind === "float";
    const values =
      row.mode === "fixed"
        ? [parseValue(row.value, setting.kind)]
        : row.mode === "range"
          ? [parseValue(row.high, setting.kind)]
          : parseChoices(row.choices, setting.kind);
    const usable = values.filter((value): value is ParamValue =>
      numeric
        ? typeof value === "number"
        : setting.kind === "enum"
          ? setting.options?.includes(value as string) === true
          : typeof value === "boolean",
    );
    const chosen = numeric ? Math.max(...(usable as number[])) : usable[0];
    if (chosen !== undefined && chosen !== Number.NEGATIVE_INFINITY)
      settings[setting.name] = chosen;
  }
  return settings;
}

function positive(text: string): number | undefined {
  const value = parseValue(text, "float");
  return typeof value === "number" && value > 0 ? value : undefined;
}

/** A trial's length as the form gives it; undefined while it is not a positive number. */
export function formBudget(form: StudyForm): Budget | undefined {
  const length = positive(form.budget.length);
  if (length === undefined) return undefined;
  return form.budget.unit === "steps" ? { steps: length } : { tokens: length };
}

/** The study's wall-time limit in minutes, when the form sets one. */
export function formWallTimeMinutes(form: StudyForm): number | undefined {
  return positive(form.budget.wallTimeMinutes);
}
