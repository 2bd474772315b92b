import { z } from "zod";
import type { Random } from "../../random.ts";
import {
  fromUnit,
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
      description:
        "Values taken across a float without a step or a log-scale int, evenly spaced on its scale; needed when the space has one.",
      examples: [4],
    }),
});
export type GridSettings = z.output<typeof gridSettingsSchema>;
export type GridOptions = z.input<typeof gridSettingsSchema>;

/** Beyond this the grid is no longer a sensible way to search; enumerating it would also hurt. */
const MAX_GRID_POINTS = 100_000;

/**
 * The values a parameter takes on the grid: every choice, every value of an int or a stepped
 * float, and gridPoints evenly spaced values of a continuous float or a log-scale int.
 */
export function gridValues(name: string, param: ParamSpec, gridPoints?: number): ParamValue[] {
  switch (param.type) {
    case "fixed":
      return [param.value];
    case "categorical":
      return param.choices;
    case "float":
    case "int": {
      const continuous = param.log || (param.type === "float" && param.step === undefined);
      if (!continuous) {
        const count = Math.round((param.high - param.low) / (param.step ?? 1)) + 1;
        return Array.from({ length: count }, (_, k) => fromUnit(param, (k + 0.5) / count));
      }
      if (gridPoints === undefined) {
        throw new Error(
          `grid sampler: ${param.type} parameter "${name}" has no step; give it a step or set the sampler's gridPoints`,
        );
      }
      // Twelve digits drop exp/log noise (1e-4 not 1.0000000000000009e-4) for readable points;
      // rounded log-scale ints may land on the same value twice.
      const points = Array.from({ length: gridPoints }, (_, k) => {
        const value = fromUnit(param, k / (gridPoints - 1)) as number;
        return Math.min(param.high, Math.max(param.low, Number(value.toPrecision(12))));
      });
      return [...new Set(points)];
    }
  }
}

/** Every configuration of the space once, inactive branches expanded only where active. */
export function enumerateGrid(space: SearchSpace, gridPoints?: number): Params[] {
  let configurations: Params[] = [{}];
  for (const name of topologicalOrder(space)) {
    const values = gridValues(name, space[name] as ParamSpec, gridPoints);
    const active = configurations.map((params) => isActive(space, name, params));
    const size = active.reduce((sum, on) => sum + (on ? values.length : 1), 0);
    if (size > MAX_GRID_POINTS) {
      throw new Error(
        `grid sampler: the grid has more than ${MAX_GRID_POINTS} points (at parameter "${name}"); use fewer gridPoints or another sampler`,
      );
    }
    configurations = configurations.flatMap((params, i) =>
      active[i] ? values.map((value) => ({ ...params, [name]: value })) : [params],
    );
  }
  return configurations;
}

/**
 * Grid search: each configuration exactly once, in random order (Optuna's GridSampler). A point
 * is taken once any trial holds it, whatever its state; retrying a failed trial is the runner's
 * job, so a failure does not make the grid hand its point out again.
 */
export class GridSampler implements Sampler {
  readonly kind = "grid";

  readonly settings: GridSettings;

  constructor(options: GridOptions = {}) {
    this.settings = parseSettings("grid", gridSettingsSchema, options);
  }

  ask(space: SearchSpace, history: StudyHistory, random: Random): Params {
    const grid = enumerateGrid(space, this.settings.gridPoints);
    const taken = new Set(history.trials.map((trial) => paramsKey(trial.params)));
    const left = grid.filter((params) => !taken.has(paramsKey(params)));
    if (left.length === 0) {
      throw new SamplerExhaustedError(
        `grid sampler exhausted: all ${grid.length} points of the grid have trials`,
      );
    }
    return random.choice(left);
  }
}
