// What a valid spec may still not ask of the shared runners: a budget, a grid or a model beyond the
// deployment's limits (limits.ts). Checked when a spec is written and again by the study control,
// whose limits may have been lowered since.

import { modelSizeProblem } from "../trial/cost.ts";
import type { TrialSettingsInput } from "../trial/settings.ts";
import { describeLimit, type StudyLimits } from "./limits.ts";
import { gridSizeProblem } from "./samplers/grid.ts";
import type { ParamSpec } from "./space.ts";
import type { SpecError, StudySpec } from "./spec.ts";
import type { ParamValue } from "./types.ts";

const budgetLimits = ["trials", "parallelTrials", "stepsPerTrial", "tokensPerTrial"] as const;

/** Each way the spec exceeds the limits, at its field. */
export function limitErrors(spec: StudySpec, limits: StudyLimits): SpecError[] {
  const errors: SpecError[] = [];
  for (const limit of budgetLimits) {
    const value = spec.budget[limit];
    if (value !== undefined && value > limits[limit]) {
      errors.push({
        path: `budget.${limit}`,
        message: `${value.toLocaleString("en-US")} is above ${describeLimit(limits, limit)}`,
      });
    }
  }
  if (spec.sampler.kind === "grid") {
    const problem = gridSizeProblem(spec.searchSpace, spec.sampler.gridPoints, limits);
    if (problem !== undefined) errors.push({ path: "sampler", message: problem });
  }
  const modelProblem = modelSizeProblem(smallestTrialSettings(spec), limits);
  if (modelProblem !== undefined) {
    errors.push({
      path: "fixed",
      message: `even the smallest trial is too large: ${modelProblem}`,
    });
  }
  return errors;
}

/** The settings of the smallest trial the spec can sample: searched numbers at their lowest. */
function smallestTrialSettings(spec: StudySpec): TrialSettingsInput {
  const lowest = Object.entries(spec.searchSpace).flatMap(([name, param]) => {
    const value = lowestValue(param);
    return value === undefined ? [] : [[name, value] as const];
  });
  return { ...spec.fixed, ...Object.fromEntries(lowest) };
}

function lowestValue(param: ParamSpec): ParamValue | undefined {
  switch (param.type) {
    case "float":
    case "int":
      return param.low;
    case "fixed":
      return param.value;
    case "categorical": {
      const numbers = param.choices.filter((choice) => typeof choice === "number");
      return numbers.length > 0 ? Math.min(...numbers) : undefined;
    }
  }
}
