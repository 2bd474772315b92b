import { z } from "zod";
import type { Random } from "../../random.ts";
import { totalViolation } from "../constraints/feasibility.ts";
import {
  constrainedFronts,
  crowdingDistances,
  evaluatedTrials,
  toMinimization,
} from "../pareto.ts";
import {
  buildParams,
  contains,
  fromUnit,
  type ParamSpec,
  type SearchSpace,
  sampleUniform,
  toUnit,
} from "../space.ts";
import type { Params, ParamValue, StudyHistory, TrialRecord } from "../types.ts";
import { randomParams } from "./random.ts";
import { parseSettings, type Sampler } from "./sampler.ts";

export const nsga2SettingsSchema = z.strictObject({
  populationSize: z
    .number()
    .int()
    .min(2)
    .default(50)
    .describe("Parents kept; until this many trials have completed, trials are random.")
    .meta({ label: "Population" }),
  crossover: z
    .enum(["sbx", "uniform"])
    .default("sbx")
    .describe(
      "sbx: simulated binary crossover blends numeric parameters; uniform: each parameter from either parent (categoricals always are).",
    )
    .meta({ label: "Crossover" }),
  crossoverProbability: z
    .number()
    .min(0)
    .max(1)
    .default(0.9)
    .describe("Chance that a child is a crossover of two parents rather than a copy of one.")
    .meta({ label: "Crossover probability" }),
  mutationProbability: z
    .number()
    .min(0)
    .max(1)
    .optional()
    .meta({
      label: "Mutation probability",
      defaultNote: "1 / the number of parameters",
      description: "Chance that a parameter is redrawn from its distribution.",
      examples: [0.2],
    }),
  sbxEta: z
    .number()
    .positive()
    .default(20)
    .describe("SBX distribution index η_c: the larger, the closer a child stays to its parents.")
    .meta({ label: "SBX η" }),
});
export type Nsga2Settings = z.output<typeof nsga2SettingsSchema>;
export type Nsga2Options = z.input<typeof nsga2SettingsSchema>;

interface Parent {
  params: Params;
  rank: number;
  crowding: number;
}

/**
 * NSGA-II (Deb et al. 2002) in its steady-state form, so it needs no generations stored: the
 * parents are the best populationSize completed trials of the whole history by non-dominated
 * rank and crowding distance, and each ask breeds one child from two binary-tournament winners by
 * crossover and mutation. Works for one objective too.
 */
export class Nsga2Sampler implements Sampler {
  readonly kind = "nsga2";
  readonly settings: Nsga2Settings;

  constructor(options: Nsga2Options = {}) {
    this.settings = parseSettings("nsga2", nsga2SettingsSchema, options);
  }

  ask(space: SearchSpace, history: StudyHistory, random: Random): Params {
    const population = selectParents(history, this.settings.populationSize);
    if (population === undefined) return randomParams(space, random);
    const first = tournament(population, random);
    const second = tournament(population, random);
    const crossover = random.next() < this.settings.crossoverProbability;
    const mutation =
      this.settings.mutationProbability ?? 1 / Math.max(1, Object.keys(space).length);
    return buildParams(space, (name, param) => {
      if (random.next() < mutation) return sampleUniform(param, random);
      const a = inherited(first, name, param);
      const b = inherited(second, name, param);
      // A parameter a parent lacks (another branch of a conditional space) comes from the other.
      if (a === undefined || b === undefined) return a ?? b ?? sampleUniform(param, random);
      if (!crossover) return a;
      if (this.settings.crossover === "sbx" && (param.type === "float" || param.type === "int")) {
        const child = sbx(toUnit(param, a), toUnit(param, b), this.settings.sbxEta, random);
        return fromUnit(param, child);
      }
      return random.next() < 0.5 ? a : b;
    });
  }
}

function inherited(parent: Parent, name: string, param: ParamSpec): ParamValue | undefined {
  const value = parent.params[name];
  return value !== undefined && contains(param, value) ? value : undefined;
}

/**
 * The best `size` completed trials by front, the last front cut by crowding; none if too few. The
 * fronts follow Deb's constrained domination, as Optuna's NSGAIISampler with constraints: feasible
 * trials by Pareto rank, then infeasible ones by total violation.
 */
function selectParents(history: StudyHistory, size: number): Parent[] | undefined {
  const trials = evaluatedTrials(history.trials, history.directions);
  if (trials.length < size) return undefined;
  const points = trials.map((trial) =>
    toMinimization(trial.values as number[], history.directions),
  );
  const fronts = constrainedFronts(points, trials.map(totalViolation));
  const parents: Parent[] = [];
  for (const [rank, front] of fronts.entries()) {
    const crowding = crowdingDistances(points, front);
    const members = front
      .map((i, k) => ({
        params: (trials[i] as TrialRecord).params,
        rank,
        crowding: crowding[k] as number,
      }))
      .sort((a, b) => b.crowding - a.crowding);
    parents.push(...members.slice(0, size - parents.length));
    if (parents.length === size) break;
  }
  return parents;
}

/** The better of two random parents: lower rank, then larger crowding distance. */
function tournament(population: Parent[], random: Random): Parent {
  const a = random.choice(population);
  const b = random.choice(population);
  if (a.rank !== b.rank) return a.rank < b.rank ? a : b;
  return b.crowding > a.crowding ? b : a;
}

/**
 * Simulated binary crossover with bounds (Deb & Agrawal 1995) on the unit interval: one of the two
 * children, spread around the parents as a one-point crossover of their binary codes would be.
 */
function sbx(x: number, y: number, eta: number, random: Random): number {
  const low = Math.min(x, y);
  const high = Math.max(x, y);
  if (high - low < 1e-14) return x;
  const u = random.next();
  const child = (room: number, side: number) => {
    const beta = 1 + (2 * room) / (high - low);
    const alpha = 2 - beta ** -(eta + 1);
    const betaQ =
      u <= 1 / alpha ? (u * alpha) ** (1 / (eta + 1)) : (1 / (2 - u * alpha)) ** (1 / (eta + 1));
    return 0.5 * (low + high + side * betaQ * (high - low));
  };
  const value = random.next() < 0.5 ? child(low, -1) : child(1 - high, 1);
  return Math.min(1, Math.max(0, value));
}
