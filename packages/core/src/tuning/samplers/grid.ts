import { z } from "zod";
import type { Random } from "../../random.ts";
import { defaultStudyLimits, describeLimit, limitNote, type StudyLimits } from "../limits.ts";
import {
  type FloatParam,
  fromUnit,
  type IntParam,
  isActive,
  type ParamSpec,
  paramsKey,
  type SearchSpace,
  topologicalOrder,
} from "../space.ts";
import type { Params, ParamValue, StudyHistory } from "../types.ts";
import { parseSettings, type Sampler, SamplerExhaustedError } from "./sampler.ts";

export const gridSettingsSchema = z.strictObject({
  gridPoints: z
    .number()
    .int()
    .min(2)
    .optional()
    .meta({
      label: "Grid points",
      defaultNote: "required for continuous ranges",
      description: `Values taken across a float without a step or a log-scale int, evenly spaced on its scale; needed when the space has one. The whole grid may have ${limitNote("gridPoints")} points.`,
      examples: [4],
    }),
});
export type GridSettings = z.output<typeof gridSettingsSchema>;
export type GridOptions = z.input<typeof gridSettingsSchema>;

/** Whether the grid takes gridPoints values across the parameter rather than each of its values. */
function spreadAcross(param: FloatParam | IntParam): boolean {
  return param.log === true || (param.type === "float" && param.step === undefined);
}

/**
 * How many values a parameter takes on the grid, counted without listing them: at most gridPoints
 * for a spread parameter (rounded log-scale ints may coincide).
 */
export function gridValueCount(name: string, param: ParamSpec, gridPoints?: number): number {
  switch (param.type) {
    case "fixed":
      return 1;
    case "categorical":
      return param.choices.length;
    case "float":
    case "int":
      if (!spreadAcross(param)) return Math.round((param.high - param.low) / (param.step ?? 1)) + 1;
      if (gridPoints === undefined) {
        throw new Error(
          `grid sampler: ${param.type} parameter "${name}" has no step; give it a step or set the sampler's gridPoints`,
        );
      }
      return gridPoints;
  }
}

/**
 * The values a parameter takes on the grid: every choice, every value of an int or a stepped
 * float, and gridPoints evenly spaced values of a continuous float or a log-scale int.
 */
export function gridValues(name: string, param: ParamSpec, gridPoints?: number): ParamValue[] {
  const count = gridValueCount(name, param, gridPoints);
  switch (param.type) {
    case "fixed":
      return [param.value];
    case "categorical":
      return param.choices;
    case "float":
    case "int": {
      if (!spreadAcross(param)) {
        return Array.from({ length: count }, (_, k) => fromUnit(param, (k + 0.5) / count));
      }
      // Twelve digits drop exp/log noise (1e-4 not 1.0000000000000009e-4) for readable points;
      // rounded log-scale ints may land on the same value twice.
      const points = Array.from({ length: count }, (_, k) => {
        const value = fromUnit(param, k / (count - 1)) as number;
        return Math.min(param.high, Math.max(param.low, Number(value.toPrecision(12))));
      });
      return [...new Set(points)];
    }
  }
}

/**
 * How many configurations the grid has, as a product of the parameters' value counts, so that a
 * huge grid costs no more to measure than a small one. Only the parents of conditions are listed
 * (their values decide which children are active); once the count passes maxPoints before one is
 * listed, it stops there and returns the count so far.
 */
export function gridSize(space: SearchSpace, gridPoints: number | undefined, maxPoints: number) {
  const parents = new Set(Object.values(space).flatMap((param) => Object.keys(param.when ?? {})));
  // Each assignment of the parents so far, with how many configurations share it.
  let groups = [{ params: {} as Params, count: 1 }];
  for (const name of topologicalOrder(space)) {
    const param = space[name] as ParamSpec;
    const count = gridValueCount(name, param, gridPoints);
    const active = groups.map((group) => isActive(space, name, group.params));
    if (!active.includes(true)) continue;
    if (!parents.has(name)) {
      groups.forEach((group, i) => {
        if (active[i]) group.count *= count;
      });
      continue;
    }
    const size = groups.reduce((sum, group, i) => sum + group.count * (active[i] ? count : 1), 0);
    if (size > maxPoints) return size;
    const values = gridValues(name, param, gridPoints);
    groups = groups.flatMap((group, i) =>
      active[i]
        ? values.map((value) => ({
            params: { ...group.params, [name]: value },
            count: group.count,
          }))
        : [group],
    );
  }
  return groups.reduce((sum, group) => sum + group.count, 0);
}

/** Why the grid is too large to search, or undefined when it is within the limit. */
export function gridSizeProblem(
  space: SearchSpace,
  gridPoints: number | undefined,
  limits: StudyLimits,
): string | undefined {
  const size = gridSize(space, gridPoints, limits.gridPoints);
  if (size <= limits.gridPoints) return undefined;
  return `the grid comes to ${size.toLocaleString("en-US")} points, above ${describeLimit(limits, "gridPoints")}: use fewer values, fewer gridPoints or another sampler`;
}

/** Every configuration of the space once, inactive branches expanded only where active. */
export function enumerateGrid(
  space: SearchSpace,
  gridPoints?: number,
  limits: StudyLimits = defaultStudyLimits,
): Params[] {
  const problem = gridSizeProblem(space, gridPoints, limits);
  if (problem !== undefined) throw new Error(`grid sampler: ${problem}`);
  let configurations: Params[] = [{}];
  for (const name of topologicalOrder(space)) {
    const values = gridValues(name, space[name] as ParamSpec, gridPoints);
    configurations = configurations.flatMap((params) =>
      isActive(space, name, params)
        ? values.map((value) => ({ ...params, [name]: value }))
        : [params],
    );
  }
  return configurations;
}

/** Whether a point meets the study's setting constraints (../constraints/study-constraints.ts). */
export type Feasible = (params: Params) => boolean;

/**
 * Grid search: each configuration exactly once, in random order (Optuna's GridSampler). A point
 * is taken once any trial holds it, whatever its state; retrying a failed trial is the runner's
 * job, so a failure does not make the grid hand its point out again. Points that are not
 * `feasible` are skipped.
 */
export class GridSampler implements Sampler {
  readonly kind = "grid";

  readonly settings: GridSettings;

  constructor(
    options: GridOptions = {},
    private readonly limits: StudyLimits = defaultStudyLimits,
    private readonly feasible?: Feasible,
  ) {
    this.settings = parseSettings("grid", gridSettingsSchema, options);
  }

  ask(space: SearchSpace, history: StudyHistory, random: Random): Params {
    const { gridPoints } = this.settings;
    const feasible = this.feasible ?? (() => true);
    const conditional = Object.values(space).some((param) => param.when !== undefined);
    const { drawn, size } = conditional
      ? drawListed(enumerateGrid(space, gridPoints, this.limits), history, random, feasible)
      : drawIndexed(space, gridPoints, this.limits, history, random, feasible);
    if (drawn === undefined) {
      const left = this.feasible === undefined ? "" : " or break the study's constraints";
      throw new SamplerExhaustedError(
        `grid sampler exhausted: all ${size} points of the grid have trials${left}`,
      );
    }
    return drawn;
  }
}

interface Draw {
  drawn: Params | undefined;
  size: number;
}

/** A random feasible configuration of the listed grid that no trial holds. */
function drawListed(
  grid: Params[],
  history: StudyHistory,
  random: Random,
  feasible: Feasible,
): Draw {
  const taken = new Set(history.trials.map((trial) => paramsKey(trial.params)));
  const left = grid.filter((params) => !taken.has(paramsKey(params)) && feasible(params));
  return { drawn: left.length === 0 ? undefined : random.choice(left), size: grid.length };
}

/** Random picks among the untaken points before drawIndexed looks at each of them once. */
const FEASIBLE_PICKS = 16;

/**
 * The configuration drawListed would draw from a space without conditions, found without listing
 * the grid (a round of study control would otherwise list it for every trial it creates): each
 * configuration is a number whose digits are its parameters' value indices, the first parameter
 * the most significant, as enumerateGrid orders them.
 */
function drawIndexed(
  space: SearchSpace,
  gridPoints: number | undefined,
  limits: StudyLimits,
  history: StudyHistory,
  random: Random,
  feasible: Feasible,
): Draw {
  const problem = gridSizeProblem(space, gridPoints, limits);
  if (problem !== undefined) throw new Error(`grid sampler: ${problem}`);
  const axes = Object.entries(space).map(([name, param]) => {
    const values = gridValues(name, param, gridPoints);
    return { name, values, positions: new Map(values.map((value, i) => [value, i])) };
  });
  const size = axes.reduce((product, axis) => product * axis.values.length, 1);
  const taken = new Set<number>();
  for (const { params } of history.trials) {
    if (Object.keys(params).length !== axes.length) continue;
    let index = 0;
    for (const axis of axes) {
      const position = axis.positions.get(params[axis.name] as ParamValue) ?? Number.NaN;
      index = index * axis.values.length + position;
    }
    if (!Number.isNaN(index)) taken.add(index);
  }
  const untaken = size - taken.size;
  if (untaken <= 0) return { drawn: undefined, size };
  const point = (index: number) => {
    const params: Params = {};
    let placeValue = size;
    for (const axis of axes) {
      placeValue /= axis.values.length;
      params[axis.name] = axis.values[
        Math.floor(index / placeValue) % axis.values.length
      ] as ParamValue;
    }
    return params;
  };
  const sortedTaken = [...taken].sort((a, b) => a - b);
  // Uniform over the untaken feasible points: a few uniform picks among the untaken ones, kept
  // when feasible; where those all miss (few feasible points left), one pass over every untaken
  // point, choosing among the feasible ones by reservoir sampling.
  for (let pick = 0; pick < FEASIBLE_PICKS; pick++) {
    // The k-th untaken index: k, moved past each taken one at or below it.
    let index = random.int(0, untaken - 1);
    for (const skipped of sortedTaken) {
      if (skipped > index) break;
      index += 1;
    }
    const drawn = point(index);
    if (feasible(drawn)) return { drawn, size };
  }
  let drawn: Params | undefined;
  let seen = 0;
  for (let index = 0; index < size; index++) {
    if (taken.has(index)) continue;
    const params = point(index);
    if (!feasible(params)) continue;
    seen += 1;
    if (random.int(1, seen) === 1) drawn = params;
  }
  return { drawn, size };
}
