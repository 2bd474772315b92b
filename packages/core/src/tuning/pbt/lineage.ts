// A member's schedule from a PBT study's lineage: the parameters its final weights were trained
// with, step by step. A member that copied another at a round inherits that one's schedule up to
// the copied checkpoint, as Ray Tune's policy log copies the cloned trial's log before its own
// change; following the copies back gives a schedule that pbt-replay trains in one trial.
import type { Params } from "../types.ts";
import type { ScheduleEntry } from "./settings.ts";

/** One member's round as the lineage records it. */
export interface LineageRound {
  member: number;
  /** The round's step (0: the member's first parameters). */
  step: number;
  params: Params;
  /** The member whose checkpoint it copied at this round. */
  copiedFrom?: number | null;
  /** That checkpoint's step: where the member resumed. */
  copiedStep?: number | null;
}

/**
 * The schedule that trained `member`'s weights: an entry at step 0 and one at each step where a
 * parameter changed, each with every parameter's value from then on. A copy switches at the copied
 * checkpoint's step.
 */
export function memberSchedule(rounds: readonly LineageRound[], member: number): ScheduleEntry[] {
  const entries = trace(rounds, member, Number.POSITIVE_INFINITY, 0);
  return entries.filter(
    (entry, i) =>
      i === 0 || JSON.stringify(entry.params) !== JSON.stringify(entries[i - 1]?.params),
  );
}

/** The member's schedule for the steps before `before`, through its last copy among them. */
function trace(
  rounds: readonly LineageRound[],
  member: number,
  before: number,
  depth: number,
): ScheduleEntry[] {
  // Each copy followed is an earlier round: a lineage is never deeper than its rounds.
  if (depth > rounds.length) throw new Error(`the lineage of member ${member} copies in a cycle`);
  const own = rounds
    .filter((round) => round.member === member && round.step < before)
    .sort((a, b) => a.step - b.step);
  const copyAt = own.findLastIndex((round) => round.copiedFrom != null);
  const copy = own[copyAt];
  const entry = (round: LineageRound, step = round.step) => ({ step, params: round.params });
  if (copy === undefined) return own.map((round) => entry(round));
  // The copied weights are the source's up to the checkpoint's step; this member's from there.
  const switchStep = copy.copiedStep ?? copy.step;
  const inherited = trace(
    rounds,
    copy.copiedFrom as number,
    Math.min(switchStep, before),
    depth + 1,
  );
  if (switchStep >= before) return inherited;
  return [...inherited, entry(copy, switchStep), ...own.slice(copyAt + 1).map((r) => entry(r))];
}
