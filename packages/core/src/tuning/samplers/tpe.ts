import { z } from "zod";
import type { Random } from "../../random.ts";
import { isFeasible, totalViolation } from "../constraints/feasibility.ts";
import { paramsKey, type SearchSpace } from "../space.ts";
import type { Params, StudyHistory, TrialRecord } from "../types.ts";
import { freeRandomParams, randomParams } from "./random.ts";
import { parseSettings, type Sampler } from "./sampler.ts";
import { compare, objectiveScore, sampleTpeModel, tpeModelShape } from "./tpe-model.ts";

export const tpeSettingsSchema = z.strictObject({
  startupTrials: z
    .number()
    .int()
    .min(0)
    .default(10)
    .describe("Random trials before the model takes over (Optuna's n_startup_trials).")
    .meta({ label: "Random trials first" }),
  ...tpeModelShape({ eiCandidates: 24, goodFraction: 0.1 }),
});
export type TpeSettings = z.output<typeof tpeSettingsSchema>;
export type TpeOptions = z.input<typeof tpeSettingsSchema>;

/**
 * Tree-structured Parzen Estimator (Bergstra et al. 2011), after Optuna's TPESampler: after
 * startupTrials random trials, TPE's model (./tpe-model.ts) of the trials ranked best first.
 * Pruned and paused trials rank after the completed ones, by the step they reached. Trials that
 * broke a measured constraint rank after those, as Optuna's TPE with constraints.
 */
export class TpeSampler implements Sampler {
  readonly kind = "tpe";
  readonly settings: TpeSettings;

  constructor(options: TpeOptions = {}) {
    this.settings = parseSettings("tpe", tpeSettingsSchema, options);
  }

  ask(space: SearchSpace, history: StudyHistory, random: Random): Params {
    const { ranked, pending } = rankTrials(history);
    const taken = pending.map((trial) => trial.params);
    if (ranked.length < this.settings.startupTrials) {
      return this.settings.constantLiar
        ? freeRandomParams(space, new Set(taken.map(paramsKey)), random)
        : randomParams(space, random);
    }
    const rank = new Map(ranked.map((trial, index) => [trial, index]));
    const observations = byNumber(ranked).map((trial) => ({
      params: trial.params,
      score: rank.get(trial) as number,
    }));
    const input = { observations, pending: byNumber(pending).map(({ params }) => params), taken };
    return sampleTpeModel(space, input, this.settings, random);
  }
}

function byNumber(trials: TrialRecord[]): TrialRecord[] {
  return [...trials].sort((a, b) => a.number - b.number);
}

/**
 * Trials best first: completed ones by value, then pruned and paused ones by the step they reached
 * and their value there, then infeasible ones (a measured constraint broken) by total violation,
 * then those with no usable value; so a slice from the top is Optuna's below set (its
 * `_split_trials`: feasible complete, feasible pruned, infeasible). Queued and running trials are
 * pending. Failed and cancelled trials say nothing about their parameters and are left out.
 */
export function rankTrials(history: StudyHistory): {
  ranked: TrialRecord[];
  pending: TrialRecord[];
} {
  const score = objectiveScore(history.directions, "tpe");
  const completed: TrialRecord[] = [];
  const stopped: TrialRecord[] = [];
  const infeasible: TrialRecord[] = [];
  const unusable: TrialRecord[] = [];
  const pending: TrialRecord[] = [];
  for (const trial of history.trials) {
    const finished = trial.state === "completed" || trial.state === "pruned";
    if (finished && !isFeasible(trial)) {
      infeasible.push(trial);
      continue;
    }
    switch (trial.state) {
      case "completed":
        if (Number.isFinite(trial.values?.[0])) completed.push(trial);
        else unusable.push(trial);
        break;
      case "pruned":
      case "paused":
        if (trial.intermediate.length > 0) stopped.push(trial);
        else unusable.push(trial);
        break;
      case "queued":
      case "running":
        pending.push(trial);
        break;
    }
  }
  completed.sort((a, b) => compare(score(a.values?.[0]), score(b.values?.[0])));
  const last = (trial: TrialRecord) => trial.intermediate.at(-1) as { step: number; value: number };
  stopped.sort(
    (a, b) => last(b).step - last(a).step || compare(score(last(a).value), score(last(b).value)),
  );
  infeasible.sort((a, b) => totalViolation(a) - totalViolation(b));
  return { ranked: [...completed, ...stopped, ...infeasible, ...unusable], pending };
}
