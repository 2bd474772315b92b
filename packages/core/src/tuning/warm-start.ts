import { fitsSpace, type SearchSpace } from "./space.ts";
import type { StudyHistory } from "./types.ts";

/**
 * The trials of an earlier study that seed a new one: its completed trials whose params are a
 * configuration of the new space (every active parameter present and in range, nothing extra).
 * They are renumbered -n..-1, in their old order, so that put before the new study's own trials
 * they count as the oldest (TPE weighs recent trials more) and no number clashes. Samplers then
 * see them as history: TPE models them, the grid skips their points.
 *
 * Appending trials to a finished study needs nothing special: samplers keep no state, so asking
 * again with the study's history continues where it stopped (the grid with its unused points,
 * Sobol with its next index).
 */
export function warmStartHistory(previous: StudyHistory, space: SearchSpace): StudyHistory {
  const kept = previous.trials
    .filter(
      (trial) =>
        trial.state === "completed" &&
        trial.values?.length === previous.directions.length &&
        fitsSpace(space, trial.params),
    )
    .sort((a, b) => a.number - b.number);
  return {
    directions: previous.directions,
    trials: kept.map((trial, i) => ({ ...trial, number: i - kept.length })),
  };
}
