import { z } from "zod";
import { defaultStudyLimits, type StudyLimits } from "../limits.ts";
import { pbtReplaySettingsSchema, pbtSettingsSchema } from "../pbt/settings.ts";
import type { PrunerSpec } from "../pruner-spec.ts";
import { BohbSampler, bohbSettingsSchema } from "./bohb.ts";
import { CmaEsSampler, cmaesSettingsSchema } from "./cmaes.ts";
import { GpSampler, gpSettingsSchema } from "./gp.ts";
import { type Feasible, GridSampler, gridSettingsSchema } from "./grid.ts";
import { Nsga2Sampler, nsga2SettingsSchema } from "./nsga2.ts";
import { PbtReplaySampler, PbtSampler } from "./pbt.ts";
import { RandomSampler, randomSettingsSchema } from "./random.ts";
import type { Sampler } from "./sampler.ts";
import { SobolSampler, sobolSettingsSchema } from "./sobol.ts";
import { TpeSampler, tpeSettingsSchema } from "./tpe.ts";

/** The sampler part of a study spec: a kind and that sampler's settings. */
export const samplerSpecSchema = z
  .discriminatedUnion("kind", [
    randomSettingsSchema
      .extend({ kind: z.literal("random") })
      .describe(
        "Random search: each active parameter drawn independently from its own distribution. A strong baseline for a few trials.",
      )
      .meta({ label: "Random" }),
    gridSettingsSchema
      .extend({ kind: z.literal("grid") })
      .describe(
        "Every combination of the parameters' values once, in random order: every choice, every value of a linear int or a stepped float, and gridPoints values across the rest. The study completes when the grid is done, even below budget.trials.",
      )
      .meta({ label: "Grid" }),
    sobolSettingsSchema
      .extend({ kind: z.literal("sobol") })
      .describe(
        "Sobol's quasi-random sequence: points spread evenly over the space, more evenly than random ones; best with a power of two trials.",
      )
      .meta({ label: "Sobol (quasi-random)" }),
    tpeSettingsSchema
      .extend({ kind: z.literal("tpe") })
      .describe(
        "Tree-structured Parzen Estimator (as Optuna's): after startupTrials random trials, models good and bad trials and samples where good ones are likely. One objective only.",
      )
      .meta({ label: "TPE (Bayesian)", objectives: "one" }),
    gpSettingsSchema
      .extend({ kind: z.literal("gp") })
      .describe(
        "Gaussian-process Bayesian optimisation (as Optuna's GPSampler): after startupTrials random trials, fits a Matérn 5/2 Gaussian process to the trials and asks for the point of highest expected improvement; weighs it by the probability of feasibility when trials report constraints. For small budgets (10 to 50 trials): each ask takes longer as trials accumulate. One objective only.",
      )
      .meta({ label: "Gaussian process (Bayesian)", objectives: "one" }),
    nsga2SettingsSchema
      .extend({ kind: z.literal("nsga2") })
      .describe(
        "NSGA-II, a genetic algorithm for several objectives: children of the best trials by Pareto rank and crowding, with crossover and mutation; random until populationSize trials have completed.",
      )
      .meta({ label: "NSGA-II (evolutionary, multi-objective)" }),
    bohbSettingsSchema
      .extend({ kind: z.literal("bohb") })
      .describe(
        "BOHB: Hyperband whose new trials come from a TPE model of the trials that reached the largest budget (a rung of the pruner) with enough of them, scored by their value there; a share stays random. Needs the hyperband pruner. One objective only.",
      )
      .meta({ label: "BOHB (Hyperband + TPE)", objectives: "one" }),
    cmaesSettingsSchema
      .extend({ kind: z.literal("cmaes") })
      .describe(
        "CMA-ES (as Optuna's CmaEsSampler), for numeric spaces: a Gaussian over the floats and ints whose mean, step size and covariance adapt after each generation of popsize trials; ipop restarts it with a larger population when it converges. Categorical and conditional parameters are drawn at random, as Optuna does, since CMA-ES needs ordered coordinates present in every trial. One objective only.",
      )
      .meta({ label: "CMA-ES (evolution strategy)", objectives: "one" }),
    pbtSettingsSchema
      .extend({ kind: z.literal("pbt") })
      .describe(
        "Population-based training (Jaderberg et al. 2017): a population of random trials trains side by side; every perturbationInterval steps the bottom quantile copies the weights and optimizer state of the top and perturbs the mutable settings. The result is a schedule of parameters per member (the study's lineage). One objective; no pruner; the form cannot edit it: write it in the spec.",
      )
      .meta({ label: "PBT (population-based training)", objectives: "one", formless: true }),
    pbtReplaySettingsSchema
      .extend({ kind: z.literal("pbt-replay") })
      .describe(
        "Replays a schedule of parameters by step, as a PBT study's lineage gives it: each trial starts with the step-0 parameters and switches at each later step, resuming from its own checkpoint. No pruner; the form cannot edit it: write it in the spec.",
      )
      .meta({ label: "PBT replay (a fixed schedule)", formless: true }),
  ])
  .meta({
    description: "How the parameters of each new trial are chosen: a kind and its settings.",
    examples: [{ kind: "tpe", startupTrials: 5 }],
  });
export type SamplerSpec = z.output<typeof samplerSpecSchema>;
export type SamplerSpecInput = z.input<typeof samplerSpecSchema>;

/**
 * The sampler a spec names; the seed fixes what a sampler draws once or for the whole study (Sobol's
 * scramble, CMA-ES' generations), the limits bound the grid a grid sampler lists, the pruner's
 * rungs are BOHB's budgets, and the grid skips the points that are not `feasible`.
 */
export function createSampler(
  spec: SamplerSpec,
  seed = 0,
  limits: StudyLimits = defaultStudyLimits,
  pruner: PrunerSpec = { kind: "none" },
  feasible?: Feasible,
): Sampler {
  switch (spec.kind) {
    case "random":
      return new RandomSampler();
    case "grid":
      return new GridSampler(withoutKind(spec), limits, feasible);
    case "sobol":
      return new SobolSampler(withoutKind(spec), seed);
    case "tpe":
      return new TpeSampler(withoutKind(spec));
    case "gp":
      return new GpSampler(withoutKind(spec));
    case "nsga2":
      return new Nsga2Sampler(withoutKind(spec));
    case "bohb":
      if (pruner.kind !== "hyperband") {
        throw new Error(
          `the bohb sampler needs the hyperband pruner, whose rungs are its budgets; the pruner is ${pruner.kind}`,
        );
      }
      return new BohbSampler(withoutKind(spec), withoutKind(pruner));
    case "cmaes":
      return new CmaEsSampler(withoutKind(spec), seed);
    case "pbt":
      return new PbtSampler();
    case "pbt-replay":
      return new PbtReplaySampler(withoutKind(spec));
  }
}

function withoutKind<Spec extends { kind: string }>(spec: Spec): Omit<Spec, "kind"> {
  const { kind: _kind, ...settings } = spec;
  return settings;
}
