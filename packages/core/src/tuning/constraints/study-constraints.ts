// A study's constraints (spec.constraints): comparisons over the settings a trial trains with and
// the values it measures. A setting constraint reads settings only, so it is checked before a trial
// is queued and never broken by one; a measured constraint becomes, once the trial has trained, a
// value c that is feasible when c <= 0, as Optuna's constraints_func returns.
import { trialSettingsSchema } from "../../trial/settings-schema.ts";
import type { ParamSpec, SearchSpace } from "../space.ts";
import type { Params, ParamValue } from "../types.ts";
import {
  type Comparison,
  constraintValue,
  ExpressionError,
  holds,
  parseComparison,
} from "./expression.ts";

/**
 * The values a trial measures that a constraint may name, and how each is read from its stored
 * metric points: param_count and flops_per_token are stored once, when training ends; tokens_per_s
 * at every step, and the harmonic mean of those is the trial's mean throughput (every step trains
 * the same tokens, so it is tokens seen / training time, the value the trainer gives the objective).
 * Peak memory is not measured: TensorFlow.js reports the tensors alive between steps, not the peak
 * within one.
 */
export const measuredValues = {
  param_count: "last",
  flops_per_token: "last",
  tokens_per_s: "harmonicMean",
} as const;

export type MeasuredName = keyof typeof measuredValues;
/** A trial's measured values by name; a name is absent until measured. */
export type Measurements = Partial<Record<MeasuredName, number>>;

const measuredNames = Object.keys(measuredValues) as MeasuredName[];

function isMeasured(name: string): name is MeasuredName {
  return Object.hasOwn(measuredValues, name);
}

/** The parts of a study spec its constraints read. */
export interface ConstraintSpec {
  searchSpace: SearchSpace;
  fixed: Record<string, ParamValue>;
  constraints: readonly string[];
}

export interface StudyConstraint {
  /** As written in the spec. */
  text: string;
  comparison: Comparison;
  /** It names a measured value, so it is known only once a trial has trained. */
  measured: boolean;
}

let defaults: Record<string, unknown> | undefined;

/** The trainer settings' defaults (settings whose default depends on others are absent). */
function settingDefaults(): Record<string, unknown> {
  defaults ??= trialSettingsSchema.parse({});
  return defaults;
}

/** Every value a setting can take in the study, by the setting's name. */
function settingValueSets(spec: ConstraintSpec): Map<string, readonly unknown[]> {
  const sets = new Map<string, readonly unknown[]>();
  for (const [name, value] of Object.entries(settingDefaults())) sets.set(name, [value]);
  for (const [name, value] of Object.entries(spec.fixed)) sets.set(name, [value]);
  for (const [name, param] of Object.entries(spec.searchSpace)) sets.set(name, paramValues(param));
  return sets;
}

/** The values a parameter takes, where they are not all numbers; a number stands for a range. */
function paramValues(param: ParamSpec): readonly ParamValue[] {
  switch (param.type) {
    case "float":
    case "int":
      return [param.low];
    case "categorical":
      return param.choices;
    case "fixed":
      return [param.value];
  }
}

/** Each of the spec's constraints that is not one, with why: what constraints[index] gets. */
export function constraintIssues(spec: ConstraintSpec): { index: number; message: string }[] {
  const settings = settingValueSets(spec);
  return spec.constraints.flatMap((text, index) => {
    const problem = constraintProblem(text, settings);
    return problem === undefined ? [] : [{ index, message: problem }];
  });
}

function constraintProblem(
  text: string,
  settings: Map<string, readonly unknown[]>,
): string | undefined {
  let comparison: Comparison;
  try {
    comparison = parseComparison(text);
  } catch (error) {
    if (error instanceof ExpressionError) return error.message;
    throw error;
  }
  const unknown = comparison.names.filter((name) => !settings.has(name) && !isMeasured(name));
  if (unknown.length > 0) {
    return `unknown ${unknown.length === 1 ? "name" : "names"} ${unknown.map((name) => `"${name}"`).join(", ")}: a constraint reads the study's settings (${[...settings.keys()].join(", ")}) and measured values (${measuredNames.join(", ")})`;
  }
  for (const name of comparison.names) {
    const other = settings.get(name)?.find((value) => typeof value !== "number");
    if (other !== undefined) {
      return `"${name}" is not a number in this study (it can be ${JSON.stringify(other)}); constraints compare numbers`;
    }
  }
  if (comparison.operator === "!=" && comparison.names.some(isMeasured)) {
    return "!= cannot say how far a measured value is from satisfying it; use <=, <, >=, > or ==";
  }
  return undefined;
}

/** The spec's constraints, parsed; the spec must be valid (constraintIssues found nothing). */
export function studyConstraints(spec: Pick<ConstraintSpec, "constraints">): StudyConstraint[] {
  return spec.constraints.map((text) => {
    const comparison = parseComparison(text);
    return { text, comparison, measured: comparison.names.some(isMeasured) };
  });
}

/**
 * The numeric settings a trial with these parameters trains with: the trainer's defaults, the
 * study's fixed settings, then the parameters. A conditional parameter its trial lacks and that has
 * no default is absent, and the constraints that read it do not apply to the trial.
 */
export function settingValues(
  spec: Pick<ConstraintSpec, "fixed">,
  params: Params,
): Record<string, number> {
  const merged: Record<string, unknown> = { ...settingDefaults(), ...spec.fixed, ...params };
  return Object.fromEntries(
    Object.entries(merged).filter(
      (entry): entry is [string, number] => typeof entry[1] === "number",
    ),
  );
}

/** Whether the values give every name the comparison reads. */
function applies(comparison: Comparison, values: Record<string, number>): boolean {
  return comparison.names.every((name) => name in values);
}

/**
 * The setting constraints a trial with these parameters would break (one that reads a setting the
 * trial lacks does not apply), checked before it is queued. Undefined when the spec has none.
 */
export function settingCheck(
  spec: ConstraintSpec,
): ((params: Params) => StudyConstraint[]) | undefined {
  const constraints = studyConstraints(spec).filter((constraint) => !constraint.measured);
  if (constraints.length === 0) return undefined;
  // Merged once: a grid may check every one of its points.
  const shared = settingValues(spec, {});
  return (params) => {
    const lookup = (name: string) => {
      const value = params[name];
      return typeof value === "number" ? value : shared[name];
    };
    return constraints.filter(
      ({ comparison }) =>
        comparison.names.every((name) => lookup(name) !== undefined) &&
        !holds(comparison, (name) => lookup(name) as number),
    );
  };
}

/**
 * Optuna's constraint values of a trial, one per measured constraint in the spec's order: at most
 * 0 where it is satisfied (or reads a setting the trial lacks). Undefined while a measured value a
 * constraint reads is missing: then the trial's feasibility is not known.
 */
export function measuredConstraintValues(
  constraints: readonly StudyConstraint[],
  settings: Record<string, number>,
  measured: Measurements,
): number[] | undefined {
  const values = { ...settings, ...measured } as Record<string, number>;
  const result: number[] = [];
  for (const { comparison, measured: isMeasuredConstraint } of constraints) {
    if (!isMeasuredConstraint) continue;
    if (comparison.names.some((name) => isMeasured(name) && !(name in measured))) return undefined;
    result.push(
      applies(comparison, values)
        ? constraintValue(comparison, (name) => values[name] as number)
        : 0,
    );
  }
  return result;
}

/** A measured constraint a trial broke: as written, and by how much (its constraint value). */
export interface ConstraintViolation {
  constraint: string;
  by: number;
}

/** The measured constraints a trial breaks, with by how much. */
export function violations(
  constraints: readonly StudyConstraint[],
  values: readonly number[],
): ConstraintViolation[] {
  const measured = constraints.filter((constraint) => constraint.measured);
  return measured.flatMap((constraint, i) => {
    const by = values[i] ?? 0;
    return by > 0 ? [{ constraint: constraint.text, by }] : [];
  });
}
