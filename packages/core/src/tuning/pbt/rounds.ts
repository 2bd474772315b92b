// Population-based training's rounds (Jaderberg et al. 2017), synchronous as in Ray Tune's
// `synch=True` and Determined's PBT: every member trains to the round's step and waits there; then
// the bottom quantile copies the checkpoints of the top (exploit) and explores from their
// parameters, and all go on. A replay study changes its trials' parameters at the steps of a
// fixed schedule instead. Storage stays outside: the study control passes each member's last round
// and acts on what these return.
import { Random } from "../../random.ts";
import { CONTINUE, isBetter, type PruneDecision } from "../pruners/pruner.ts";
import { firstReportFrom } from "../pruners/reports.ts";
import type { SearchSpace } from "../space.ts";
import type { Direction, Params, TrialRecord } from "../types.ts";
import { explore } from "./explore.ts";
import type { PbtReplaySettings, PbtSettings } from "./settings.ts";

/** The sampler spec of a population-based study: what its rounds follow. */
export type RoundPlan =
  | ({ kind: "pbt" } & PbtSettings)
  | ({ kind: "pbt-replay" } & PbtReplaySettings);

/**
 * The step of a trial's next round after the one at `lastRound` (0 before the first), or undefined
 * when none is left before its last step.
 */
export function nextRoundStep(
  plan: RoundPlan,
  lastRound: number,
  totalSteps: number,
): number | undefined {
  const next =
    plan.kind === "pbt"
      ? lastRound + plan.perturbationInterval
      : plan.schedule.find((entry) => entry.step > lastRound)?.step;
  return next !== undefined && next < totalSteps ? next : undefined;
}

/**
 * A trial waits at its next round once it has reported there (or past it: a trial that resumed
 * after its runner was lost before it could stop still stops, at its next evaluation).
 */
export function roundDecision(trial: TrialRecord, nextRound: number | undefined): PruneDecision {
  const step = trial.intermediate.at(-1)?.step;
  if (nextRound === undefined || step === undefined || step < nextRound) return CONTINUE;
  return {
    action: "pause",
    reason: `waiting at step ${step} for the round at step ${nextRound}`,
  };
}

/** The parameters of a replayed schedule at a step: every entry up to it, later ones winning. */
export function scheduledParams(plan: PbtReplaySettings, step: number): Params {
  return Object.assign(
    {},
    ...plan.schedule.filter((entry) => entry.step <= step).map((e) => e.params),
  );
}

/** A trial's value at a round: its first report at or after the round's step; NaN if none. */
export function valueAtRound(trial: TrialRecord, step: number): number {
  return firstReportFrom(trial.intermediate, step)?.value ?? Number.NaN;
}

/** The generator of the round at `step`, from the study seed: a round draws the same on any runner. */
export function randomForRound(seed: number, step: number): Random {
  return new Random((seed ^ Math.imul(step + 1, 0x85ebca6b)) >>> 0);
}

/** A member of the population at a round: its parameters and its value at the round's step. */
export interface Member {
  number: number;
  params: Params;
  value: number;
}

/** What a round does to a member: its parameters from now on, and whom it copied, if anyone. */
export interface MemberUpdate {
  number: number;
  params: Params;
  copiedFrom?: number;
}

/**
 * The bottom and top quantiles of the members by value, as Ray Tune's `_quantiles`:
 * ⌈fraction × members⌉ each, at most half of them; none with fewer than two members. Ties keep
 * the members' order; NaN ranks last.
 */
export function quantiles(
  members: readonly Member[],
  fraction: number,
  direction: Direction,
): { bottom: Member[]; top: Member[] } {
  if (members.length <= 1) return { bottom: [], top: [] };
  const bestFirst = [...members].sort((a, b) =>
    isBetter(a.value, b.value, direction) ? -1 : isBetter(b.value, a.value, direction) ? 1 : 0,
  );
  const count = Math.min(Math.ceil(members.length * fraction), Math.floor(members.length / 2));
  return { top: bestFirst.slice(0, count), bottom: bestFirst.slice(bestFirst.length - count) };
}

/**
 * One round: each member of the bottom quantile copies a member of the top chosen at random and
 * explores from its parameters; every other member keeps its own. One update per member, in the
 * members' order.
 */
export function populationRound(
  members: readonly Member[],
  space: SearchSpace,
  settings: PbtSettings,
  direction: Direction,
  random: Random,
): MemberUpdate[] {
  const { bottom, top } = quantiles(members, settings.quantileFraction, direction);
  const copies = new Map(
    bottom.map((member) => {
      const source = random.choice(top);
      return [
        member.number,
        { copiedFrom: source.number, params: explore(source.params, space, settings, random) },
      ];
    }),
  );
  return members.map((member) => ({
    number: member.number,
    ...(copies.get(member.number) ?? { params: member.params }),
  }));
}
