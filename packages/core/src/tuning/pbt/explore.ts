// PBT's explore step (Jaderberg et al. 2017, "perturb" and "resample"; as Ray Tune's explore):
// a copied member's mutated settings are each drawn afresh from the search space with probability
// resampleProbability, otherwise moved from the copied value: numbers multiplied by one of the
// perturbation factors and kept within their bounds, choices moved to a neighbouring one.
import type { Random } from "../../random.ts";
import {
  buildParams,
  contains,
  type FloatParam,
  type IntParam,
  type ParamSpec,
  type SearchSpace,
  sampleUniform,
} from "../space.ts";
import type { Params, ParamValue } from "../types.ts";
import type { PbtSettings } from "./settings.ts";

export type ExploreSettings = Pick<
  PbtSettings,
  "mutations" | "resampleProbability" | "perturbationFactors"
>;

/**
 * The parameters a member continues with after copying `params`: the mutated settings explored,
 * the others kept. A mutated setting the copy lacks (inactive before, active now) is drawn afresh.
 */
export function explore(
  params: Params,
  space: SearchSpace,
  settings: ExploreSettings,
  random: Random,
): Params {
  return buildParams(space, (name, param) => {
    const value = params[name];
    const known = value !== undefined && contains(param, value);
    if (!settings.mutations.includes(name)) {
      return known ? value : sampleUniform(param, random);
    }
    if (!known || random.next() < settings.resampleProbability) {
      return sampleUniform(param, random);
    }
    return perturb(param, value, settings.perturbationFactors, random);
  });
}

/** A value moved from `value`: scaled for numbers, to a neighbour for choices. */
export function perturb(
  param: ParamSpec,
  value: ParamValue,
  factors: readonly number[],
  random: Random,
): ParamValue {
  switch (param.type) {
    case "float":
    case "int":
      return scaled(param, value as number, random.choice(factors));
    case "categorical": {
      const index = param.choices.indexOf(value);
      const neighbour = index + (random.next() < 0.5 ? -1 : 1);
      return param.choices[
        Math.min(param.choices.length - 1, Math.max(0, neighbour))
      ] as ParamValue;
    }
    case "fixed":
      return param.value;
  }
}

/**
 * value × factor within [low, high], on the parameter's step grid (whole numbers for an int). A
 * stepped value the factor would leave where it is (1 × 1.2 rounds to 1) moves one step its way,
 * so that small integers can still change.
 */
function scaled(param: FloatParam | IntParam, value: number, factor: number): number {
  const clip = (x: number) => Math.min(param.high, Math.max(param.low, x));
  const step = param.step ?? (param.type === "int" ? 1 : undefined);
  const target = clip(value * factor);
  if (step === undefined) return target;
  const onGrid = (x: number) =>
    clip(
      Number.parseFloat((param.low + Math.round((x - param.low) / step) * step).toPrecision(12)),
    );
  const snapped = onGrid(target);
  if (snapped !== value || factor === 1) return snapped;
  return onGrid(value + (factor > 1 ? step : -step));
}
