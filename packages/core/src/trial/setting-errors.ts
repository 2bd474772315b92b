// What a spec's `fixed` and `searchSpace` ask of the trainer that it would refuse: names it does not
// know, and values outside a setting's type or bounds, checked with the setting's own schema and
// explained with its description. A spec is then refused when it is written, not when its first
// trial starts. Rules across settings (heads dividing d_model) still wait for the trial's plan.
import { settingsCatalogue } from "../tuning/catalogue.ts";
import type { SpecError, StudySpec } from "../tuning/spec.ts";
import { type SettingName, trialSettingsSchema } from "./settings-schema.ts";

const fields = trialSettingsSchema.shape;
const catalogue = new Map(settingsCatalogue.map((field) => [field.name, field]));

function isSettingName(name: string): name is SettingName {
  return catalogue.has(name);
}

/** The setting's value problem at `path`, with what the setting is, or undefined when it fits. */
function valueError(name: SettingName, value: unknown, path: string): SpecError | undefined {
  const parsed = fields[name].safeParse(value);
  if (parsed.success) return undefined;
  const problem = parsed.error.issues[0]?.message ?? "not allowed";
  const description = catalogue.get(name)?.description;
  const about = description ? ` (${name}: ${description})` : "";
  return { path, message: `${problem}, got ${JSON.stringify(value)}${about}` };
}

function unknownSetting(name: string, path: string): SpecError {
  return { path, message: `"${name}" is not a training setting` };
}

/** Each problem of the spec's trainer settings, by path: `fixed.lr`, `searchSpace.layers.low`. */
export function settingErrors(spec: Pick<StudySpec, "fixed" | "searchSpace">): SpecError[] {
  const errors: (SpecError | undefined)[] = [];
  for (const [name, value] of Object.entries(spec.fixed)) {
    const path = `fixed.${name}`;
    errors.push(isSettingName(name) ? valueError(name, value, path) : unknownSetting(name, path));
  }
  for (const [name, param] of Object.entries(spec.searchSpace)) {
    const path = `searchSpace.${name}`;
    if (!isSettingName(name)) {
      errors.push(unknownSetting(name, path));
      continue;
    }
    const kind = catalogue.get(name)?.kind;
    if (param.type === "categorical") {
      param.choices.forEach((choice, i) => {
        errors.push(valueError(name, choice, `${path}.choices[${i}]`));
      });
    } else if (param.type === "fixed") {
      errors.push(valueError(name, param.value, `${path}.value`));
    } else if (kind === "enum" || kind === "bool") {
      errors.push({
        path: `${path}.type`,
        message: `${name} is a choice, not a number: search it with type: categorical`,
      });
    } else if (kind === "int" && param.type === "float") {
      errors.push({
        path: `${path}.type`,
        message: `${name} takes whole numbers: search it with type: int`,
      });
    } else {
      errors.push(valueError(name, param.low, `${path}.low`));
      errors.push(valueError(name, param.high, `${path}.high`));
    }
  }
  return errors.filter((error) => error !== undefined);
}
