// Spec → form: the form as near to a spec as it can be, and the parts it cannot show.
import {
  PRUNERS,
  type PrunerKind,
  SAMPLERS,
  type SamplerKind,
  SETTINGS,
  type SettingDefinition,
  TASKS,
} from "./catalogue.ts";
import { blankRow, type StudyForm } from "./form-state.ts";
import { formToSpec } from "./form-to-spec.ts";
import { isObject, type SpecObject, valueText } from "./values.ts";

export interface FormFromSpec {
  /** The form as near to the spec as it can be. */
  form: StudyForm;
  /** The parts of the spec the form cannot show (empty when it shows all of it), as paths. */
  editorOnly: string[];
}

/**
 * Fills the form from a spec (parsed, not yet validated), keeping the inputs of `base` wherever the
 * spec is silent, and names every part the form cannot show: what the form would write back is
 * compared with the spec, so anything lost or changed on the way counts.
 */
export function specToForm(raw: unknown, base: StudyForm): FormFromSpec {
  if (!isObject(raw)) return { form: base, editorOnly: ["(the spec is not a mapping of fields)"] };
  const form: StudyForm = structuredClone(base);
  form.name = valueText(raw.name);
  form.task = TASKS.find((task) => task.value === raw.task)?.value ?? "language-modelling";
  form.dataset = valueText(raw.dataset);
  form.model = valueText(raw.model);
  if (Array.isArray(raw.objectives)) {
    form.objectives = raw.objectives.map((objective) => {
      const entry = isObject(objective) ? objective : {};
      return {
        metric: valueText(entry.metric),
        direction: entry.direction === "maximize" ? "maximize" : "minimize",
      };
    });
  }
  const fixed = isObject(raw.fixed) ? raw.fixed : {};
  const searchSpace = isObject(raw.searchSpace) ? raw.searchSpace : {};
  for (const setting of SETTINGS) {
    form.settings[setting.name] = settingRow(form, setting, fixed, searchSpace[setting.name]);
  }

  form.constraints = Array.isArray(raw.constraints) ? raw.constraints.map(valueText) : [];

  const sampler = isObject(raw.sampler) ? raw.sampler : {};
  if (typeof sampler.kind === "string" && sampler.kind in SAMPLERS) {
    form.sampler = sampler.kind as SamplerKind;
    form.samplerSettings[form.sampler] = optionTexts(SAMPLERS[form.sampler].fields, sampler);
  }
  const pruner = isObject(raw.pruner) ? raw.pruner : { kind: "none" };
  if (typeof pruner.kind === "string" && pruner.kind in PRUNERS) {
    form.pruner = pruner.kind as PrunerKind;
    form.prunerSettings[form.pruner] = optionTexts(PRUNERS[form.pruner].fields, pruner);
  }

  const budget = isObject(raw.budget) ? raw.budget : {};
  const byTokens = budget.tokensPerTrial !== undefined && budget.stepsPerTrial === undefined;
  form.budget = {
    trials: valueText(budget.trials),
    parallelTrials: valueText(budget.parallelTrials),
    unit: byTokens ? "tokens" : "steps",
    length: valueText(byTokens ? budget.tokensPerTrial : budget.stepsPerTrial),
    wallTimeMinutes: valueText(budget.wallTimeMinutes),
  };
  form.seed = valueText(raw.seed);

  return { form, editorOnly: differences(normalised(raw), normalised(formToSpec(form))) };
}

function settingRow(
  form: StudyForm,
  setting: SettingDefinition,
  fixed: SpecObject,
  param: unknown,
): StudyForm["settings"][string] {
  const current = form.settings[setting.name] ?? blankRow(setting);
  if (setting.name in fixed) {
    return { ...current, mode: "fixed", value: valueText(fixed[setting.name]) };
  }
  if (isObject(param) && (param.type === "float" || param.type === "int")) {
    return {
      ...current,
      mode: "range",
      low: valueText(param.low),
      high: valueText(param.high),
      log: param.log === true,
      step: valueText(param.step),
    };
  }
  if (isObject(param) && param.type === "categorical" && Array.isArray(param.choices)) {
    return { ...current, mode: "choices", choices: param.choices.map(valueText).join(", ") };
  }
  return { ...current, mode: "default" };
}

function optionTexts(
  fields: readonly SettingDefinition[],
  values: SpecObject,
): Record<string, string> {
  return Object.fromEntries(fields.map((field) => [field.name, valueText(values[field.name])]));
}

/**
 * What a spec means regardless of how it is written: no empty `fixed` or `constraints`, no explicit
 * no-op pruner.
 */
function normalised(spec: SpecObject): SpecObject {
  const copy = { ...spec };
  if (isObject(copy.fixed) && Object.keys(copy.fixed).length === 0) delete copy.fixed;
  if (Array.isArray(copy.constraints) && copy.constraints.length === 0) delete copy.constraints;
  if (
    isObject(copy.pruner) &&
    copy.pruner.kind === "none" &&
    Object.keys(copy.pruner).length === 1
  ) {
    delete copy.pruner;
  }
  return copy;
}

/** Paths (two levels deep at most, `searchSpace.lr`) where two specs differ. */
export function differences(a: unknown, b: unknown, path = "", depth = 0): string[] {
  if (sameValue(a, b)) return [];
  if (depth < 2 && isObject(a) && isObject(b)) {
    const keys = [...new Set([...Object.keys(a), ...Object.keys(b)])];
    return keys.flatMap((key) =>
      differences(a[key], b[key], path ? `${path}.${key}` : key, depth + 1),
    );
  }
  return [path || "(the whole spec)"];
}

function sameValue(a: unknown, b: unknown): boolean {
  if (Object.is(a, b)) return true;
  if (Array.isArray(a) && Array.isArray(b)) {
    return a.length === b.length && a.every((item, i) => sameValue(item, b[i]));
  }
  if (isObject(a) && isObject(b)) {
    const keys = Object.keys(a).filter((key) => a[key] !== undefined);
    const otherKeys = Object.keys(b).filter((key) => b[key] !== undefined);
    return keys.length === otherKeys.length && keys.every((key) => sameValue(a[key], b[key]));
  }
  return false;
}
