// Form → spec: only what the form sets, blank inputs left out.
import { MODEL_DECIDES } from "@attune/core/spec";
import {
  PRUNERS,
  SAMPLERS,
  SCHEDULE_KINDS,
  type ScheduleKind,
  SETTINGS,
  type SettingDefinition,
  settingDefinition,
} from "./catalogue.ts";
import type { ParamRow, StudyForm } from "./form-state.ts";
import { parseChoices, parseValue, type SpecObject } from "./values.ts";

/** The schedules trials may train with: the fixed one, the searched ones, or the default. */
export function activeSchedules(form: StudyForm): ScheduleKind[] {
  const schedule = form.settings.schedule as ParamRow;
  const named =
    schedule.mode === "fixed"
      ? [schedule.value.trim()]
      : schedule.mode === "choices"
        ? parseChoices(schedule.choices, "enum").map(String)
        : [settingDefinition("schedule")?.defaultText];
  return SCHEDULE_KINDS.filter((kind) => named.includes(kind));
}

/** Whether the form shows (and the spec carries) the setting, given the chosen schedules. */
export function settingApplies(setting: SettingDefinition, schedules: ScheduleKind[]): boolean {
  return (
    setting.schedules === undefined ||
    setting.schedules.some((kind) => schedules.includes(kind as ScheduleKind))
  );
}

/** Whether the form's model, when it names one, decides the setting (its architecture, tokenizer). */
export function decidedByModel(form: StudyForm, setting: SettingDefinition): boolean {
  return form.model !== "" && MODEL_DECIDES.has(setting.name);
}

function optionValues(
  fields: readonly SettingDefinition[],
  texts: Record<string, string>,
): SpecObject {
  const values: SpecObject = {};
  for (const field of fields) {
    const text = texts[field.name] ?? "";
    if (text.trim() !== "") values[field.name] = parseValue(text, field.kind);
  }
  return values;
}

function searchedParam(setting: SettingDefinition, param: ParamRow): SpecObject {
  if (param.mode === "choices") {
    return { type: "categorical", choices: parseChoices(param.choices, setting.kind) };
  }
  const range: SpecObject = {
    type: setting.kind === "int" ? "int" : "float",
    low: parseValue(param.low, setting.kind),
    high: parseValue(param.high, setting.kind),
  };
  if (param.log) range.log = true;
  if (param.step.trim() !== "") range.step = parseValue(param.step, setting.kind);
  return range;
}

function budgetSpec(budget: StudyForm["budget"]): SpecObject {
  const spec: SpecObject = { trials: parseValue(budget.trials, "int") };
  if (budget.parallelTrials.trim() !== "") {
    spec.parallelTrials = parseValue(budget.parallelTrials, "int");
  }
  spec[budget.unit === "steps" ? "stepsPerTrial" : "tokensPerTrial"] = parseValue(
    budget.length,
    "int",
  );
  if (budget.wallTimeMinutes.trim() !== "") {
    spec.wallTimeMinutes = parseValue(budget.wallTimeMinutes, "float");
  }
  return spec;
}

/** The spec the form stands for: only what the form sets, blank inputs left out. */
export function formToSpec(form: StudyForm): SpecObject {
  const fixed: SpecObject = {};
  const searchSpace: SpecObject = {};
  const schedules = activeSchedules(form);
  for (const setting of SETTINGS) {
    const param = form.settings[setting.name];
    if (!param || param.mode === "default" || !settingApplies(setting, schedules)) continue;
    if (decidedByModel(form, setting)) continue;
    if (param.mode !== "fixed") searchSpace[setting.name] = searchedParam(setting, param);
    else if (param.value.trim() !== "") {
      fixed[setting.name] = parseValue(param.value, setting.kind);
    }
  }
  const spec: SpecObject = {
    name: form.name,
    task: form.task,
    dataset: form.dataset,
    objectives: form.objectives.map(({ metric, direction }) => ({ metric, direction })),
  };
  if (form.model !== "") spec.model = form.model;
  if (Object.keys(fixed).length > 0) spec.fixed = fixed;
  spec.searchSpace = searchSpace;
  const constraints = form.constraints.map((text) => text.trim()).filter((text) => text !== "");
  if (constraints.length > 0) spec.constraints = constraints;
  spec.sampler = {
    kind: form.sampler,
    ...optionValues(SAMPLERS[form.sampler].fields, form.samplerSettings[form.sampler]),
  };
  spec.pruner = {
    kind: form.pruner,
    ...optionValues(PRUNERS[form.pruner].fields, form.prunerSettings[form.pruner]),
  };
  spec.budget = budgetSpec(form.budget);
  if (form.seed.trim() !== "") spec.seed = parseValue(form.seed, "int");
  return spec;
}
