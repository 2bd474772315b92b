// How the GP sampler sees a configuration: a point of the unit cube with one coordinate per
// parameter that can take more than one value, through space.ts's unit mapping (log scales,
// ints and steps on [low − step/2, high + step/2] as Optuna's _gp/search_space.py). A categorical
// coordinate only says which choice (the kernel compares choices for equality). A parameter that
// is inactive in a configuration sits at the centre, so trials of different branches of a
// conditional space share one model.
import {
  buildParams,
  type CategoricalParam,
  type FloatParam,
  fromUnit,
  type IntParam,
  type ParamSpec,
  type SearchSpace,
  topologicalOrder,
  toUnit,
  unitBins,
} from "../../space.ts";
import type { Params, ParamValue } from "../../types.ts";

/** Where an inactive parameter sits. */
const INACTIVE = 0.5;
/** Past this many values a stepped parameter is searched as continuous and rounded. */
const MAX_DISCRETE_VALUES = 1024;

export type DimensionKind = "continuous" | "discrete" | "categorical";

export interface Dimension {
  name: string;
  param: ParamSpec;
  kind: DimensionKind;
  /** The coordinates of the parameter's values, ascending; empty when continuous. */
  choices: number[];
}

/** The coordinates of a space: its parameters with more than one value, parents first. */
export function dimensionsOf(space: SearchSpace): Dimension[] {
  const dimensions: Dimension[] = [];
  for (const name of topologicalOrder(space)) {
    const param = space[name] as ParamSpec;
    if (param.type === "fixed" || unitBins(param) === 1) continue;
    const values = discreteValues(param);
    const kind: DimensionKind =
      param.type === "categorical"
        ? "categorical"
        : values === undefined
          ? "continuous"
          : "discrete";
    const choices = (values ?? []).map((value) => toUnit(param, value)).sort((a, b) => a - b);
    dimensions.push({ name, param, kind, choices });
  }
  return dimensions;
}

/** Every value of a parameter with few enough of them; undefined for a continuous one. */
function discreteValues(param: FloatParam | IntParam | CategoricalParam): ParamValue[] | undefined {
  if (param.type === "categorical") return param.choices;
  const bins = unitBins(param);
  const count =
    bins ?? (param.type === "int" ? param.high - param.low + 1 : Number.POSITIVE_INFINITY);
  if (count > MAX_DISCRETE_VALUES) return undefined;
  if (bins !== undefined)
    return Array.from({ length: bins }, (_, k) => fromUnit(param, (k + 0.5) / bins));
  return Array.from({ length: count }, (_, k) => param.low + k);
}

/** A configuration's point; inactive parameters at the centre. */
export function encode(dimensions: readonly Dimension[], params: Params): number[] {
  return dimensions.map(({ name, param }) => {
    const value = params[name];
    return value === undefined ? INACTIVE : toUnit(param, value);
  });
}

/** The configuration a point stands for: each active parameter's value at its coordinate. */
export function decode(
  space: SearchSpace,
  dimensions: readonly Dimension[],
  x: readonly number[],
): Params {
  const coordinates = new Map(dimensions.map(({ name }, d) => [name, x[d] as number]));
  return buildParams(space, (name, param) => fromUnit(param, coordinates.get(name) ?? INACTIVE));
}

/**
 * The point of the configuration x stands for (values rounded onto their steps, inactive
 * parameters at the centre) and which coordinates are active there.
 */
export function canonical(
  space: SearchSpace,
  dimensions: readonly Dimension[],
  x: readonly number[],
): { x: number[]; active: boolean[] } {
  const params = decode(space, dimensions, x);
  return {
    x: encode(dimensions, params),
    active: dimensions.map(({ name }) => name in params),
  };
}
