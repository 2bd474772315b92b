// Asking a sampler for a trial within the study's setting constraints. Samplers know nothing of
// constraints (the grid only skips infeasible points): a draw that breaks one is asked again.
import type { Random } from "../../random.ts";
import { freeRandomParams } from "../samplers/random.ts";
import type { Sampler } from "../samplers/sampler.ts";
import { paramsKey, type SearchSpace } from "../space.ts";
import type { Params, StudyHistory } from "../types.ts";
import type { StudyConstraint } from "./study-constraints.ts";

/** Draws of the study's sampler for one trial, then of random search: 64 in all. */
export const CONSTRAINED_DRAWS = { sampler: 16, random: 48 };

export type ConstrainedAsk =
  | { ok: true; params: Params }
  /** No draw met the constraints: the last draw, and why, naming the constraints broken. */
  | { ok: false; params: Params; problem: string };

/**
 * Asks until the parameters break no setting constraint, each retry with fresh draws from the
 * trial's own generator (so a study repeats). The sampler sees the draws it had refused as trials
 * that broke constraints, which TPE and NSGA-II rank last; when its draws run out, random search
 * draws, skipping the configurations of queued and running trials as TPE's constant liar does
 * (freeRandomParams, which throws SamplerExhaustedError when every one is taken). A model can
 * favour an infeasible region it has never seen a trial in (TPE models each parameter alone, so it
 * cannot learn a rule such as d_model % heads == 0), and a sampler that draws nothing (Sobol)
 * proposes the same point each time.
 */
export function askWithinConstraints(
  sampler: Sampler,
  space: SearchSpace,
  history: StudyHistory,
  random: Random,
  broken: ((params: Params) => StudyConstraint[]) | undefined,
  draws = CONSTRAINED_DRAWS,
): ConstrainedAsk {
  const counts = new Map<string, number>();
  const seen: StudyHistory = { ...history, trials: [...history.trials] };
  const pending = history.trials.filter(
    (trial) => trial.state === "queued" || trial.state === "running",
  );
  const taken = new Set(pending.map((trial) => paramsKey(trial.params)));
  let params: Params = {};
  for (let draw = 0; draw < draws.sampler + draws.random; draw++) {
    params =
      draw < draws.sampler
        ? sampler.ask(space, seen, random)
        : freeRandomParams(space, taken, random);
    const breaks = broken?.(params) ?? [];
    if (breaks.length === 0) return { ok: true, params };
    for (const { text } of breaks) counts.set(text, (counts.get(text) ?? 0) + 1);
    seen.trials.push({
      number: -1 - draw,
      params,
      state: "completed",
      intermediate: [],
      constraints: [breaks.length],
    });
  }
  const named = [...counts]
    .sort((a, b) => b[1] - a[1])
    .map(([text, count]) => `"${text}" (broken by ${count})`);
  return {
    ok: false,
    params,
    problem: `none of ${draws.sampler} draws of the ${sampler.kind} sampler and ${draws.random} of random search met the constraints: ${named.join(", ")}`,
  };
}
