import { z } from "zod";
import type { Random } from "../../random.ts";
import type { AshaPruner } from "../pruners/asha.ts";
import { HyperbandPruner } from "../pruners/hyperband.ts";
import type { PrunerSettings } from "../pruners/pruner.ts";
import { firstReportFrom } from "../pruners/reports.ts";
import { paramsKey, type SearchSpace } from "../space.ts";
import type { Params, StudyHistory, TrialRecord } from "../types.ts";
import { freeRandomParams, randomParams } from "./random.ts";
import { parseSettings, type Sampler } from "./sampler.ts";
import { objectiveScore, sampleTpeModel, type TpeObservation, tpeModelShape } from "./tpe-model.ts";

export const bohbSettingsSchema = z.strictObject({
  randomFraction: z
    .number()
    .min(0)
    .max(1)
    .default(1 / 3)
    .describe(
      "Share of trials drawn at random rather than from the model, so that no region is ruled out for good (the paper's ρ, 1/3).",
    )
    .meta({ label: "Random fraction", examples: [0.2] }),
  minObservations: z
    .number()
    .int()
    .min(1)
    .optional()
    .meta({
      label: "Min observations",
      defaultNote: "the number of parameters + 1",
      description:
        "Trials that must have reached a budget before it is modelled (the paper's N_min); the model learns from the largest budget that has this many.",
      examples: [8],
    }),
  // The paper's percentile q = 15% and N_s = 64 samples.
  ...tpeModelShape({ eiCandidates: 64, goodFraction: 0.15 }),
});
export type BohbSettings = z.output<typeof bohbSettingsSchema>;
export type BohbOptions = z.input<typeof bohbSettingsSchema>;

/** What the model learns from: the trials that reached one budget, scored by their value there. */
export interface BudgetObservations {
  /** The budget, in steps. */
  budget: number;
  trials: TrialRecord[];
  /** One per trial, oldest first. */
  observations: TpeObservation[];
}

/**
 * BOHB (Falkner, Klein and Hutter 2018): Hyperband, whose new configurations come from a TPE model
 * instead of at random. The budgets are the hyperband pruner's rungs and its full length; the model
 * learns from the largest budget that at least minObservations trials have reached, each scored by
 * its value there, as the paper fits its densities. A randomFraction of trials, and every trial until
 * a budget has enough observations, is random.
 *
 * The model is TPE's (./tpe-model.ts) with the paper's defaults (the best 15%, at least N_min of
 * them, are good; 64 candidates). Unlike the paper's single joint density it models parameters one
 * by one unless multivariate is set: jointly did worse on bench/multi-fidelity.ts.
 */
export class BohbSampler implements Sampler {
  readonly kind = "bohb";
  readonly settings: BohbSettings;
  /** Ascending, in steps: the hyperband pruner's rungs, then its maxResource. */
  readonly budgets: number[];

  constructor(options: BohbOptions, hyperband: PrunerSettings<"hyperband">) {
    this.settings = parseSettings("bohb", bohbSettingsSchema, options);
    // The most aggressive bracket starts at minResource, so it holds every other bracket's rungs.
    const mostAggressive = new HyperbandPruner(hyperband).brackets[0] as AshaPruner;
    this.budgets = [...mostAggressive.rungs, hyperband.maxResource];
  }

  ask(space: SearchSpace, history: StudyHistory, random: Random): Params {
    const pending = history.trials.filter(
      (trial) => trial.state === "queued" || trial.state === "running",
    );
    const taken = pending.map((trial) => trial.params);
    const randomDraw = () =>
      this.settings.constantLiar
        ? freeRandomParams(space, new Set(taken.map(paramsKey)), random)
        : randomParams(space, random);
    const model = this.modelObservations(space, history);
    if (model === undefined || random.next() < this.settings.randomFraction) return randomDraw();
    // Pending trials that reached the budget are observations; the rest are the liar's bad ones.
    const observed = new Set(model.trials);
    const lies = pending.filter((trial) => !observed.has(trial)).map((trial) => trial.params);
    // At least N_min observations count as good, as the paper splits them (N_l = max(N_min, q·N_b)).
    const input = {
      observations: model.observations,
      pending: lies,
      taken,
      minGood: this.minObservations(space),
    };
    return sampleTpeModel(space, input, this.settings, random);
  }

  /** N_min: the setting, or the paper's d + 1 for d parameters the model samples. */
  minObservations(space: SearchSpace): number {
    const sampled = Object.values(space).filter((param) => param.type !== "fixed");
    return this.settings.minObservations ?? sampled.length + 1;
  }

  /** The largest budget with enough observations and those observations, if any has enough. */
  modelObservations(space: SearchSpace, history: StudyHistory): BudgetObservations | undefined {
    const score = objectiveScore(history.directions, "bohb");
    const needed = this.minObservations(space);
    const trials = [...history.trials].sort((a, b) => a.number - b.number);
    for (const budget of [...this.budgets].reverse()) {
      const reached = trials.flatMap((trial) => {
        const value = valueAt(trial, budget);
        return value === undefined ? [] : [{ trial, value }];
      });
      if (reached.length < needed) continue;
      return {
        budget,
        trials: reached.map(({ trial }) => trial),
        observations: reached.map(({ trial, value }) => ({
          params: trial.params,
          score: score(value),
        })),
      };
    }
    return undefined;
  }
}

/**
 * A trial's value at a budget: its first report at or after the budget's step, as the pruner judges
 * a rung; a completed trial without one trained past it, and its final value stands in.
 */
function valueAt(trial: TrialRecord, budget: number): number | undefined {
  const report = firstReportFrom(trial.intermediate, budget);
  if (report !== undefined) return report.value;
  return trial.state === "completed" ? trial.values?.[0] : undefined;
}
