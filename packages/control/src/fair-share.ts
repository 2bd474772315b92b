// Fair share of the runners' trial slots, free of storage: how many trials each running study may
// have queued or training at once. Studies queue only up to their share, so the queue never holds
// more than the runners can start soon, and a team that starts its first trial waits behind the
// trials already training, not behind another team's backlog.
//
// Policy: slots are split between teams first, max-min fair (every team with work gets the same
// number of slots, except that a team wanting fewer leaves the rest to the others), each team
// capped by its optional quota. Every team with work gets at least one slot, even with more teams
// than slots: its trial then waits in a queue that holds at most one trial per team. A team's slots
// go to its studies by priority, higher first (a priority never takes slots from another team),
// and max-min fair between studies of the same priority.

/** One running study as the fair share sees it. */
export interface StudyDemand {
  studyId: string;
  teamId: string;
  /** Orders the studies of one team: higher first. */
  priority: number;
  /** Trials queued or training now. */
  active: number;
  /** Trials the study could have queued or training now, within its parallelism. */
  wanted: number;
}

export interface FairShareInput {
  /** Trial slots of the live runners. */
  slots: number;
  /** The running studies, oldest first: the order that breaks ties. */
  studies: readonly StudyDemand[];
  /** Teams' quotas on their concurrent trials; a team not here has none. */
  teamQuotas: ReadonlyMap<string, number>;
}

/** Trials each study may have queued or training at once, by study id. */
export function fairShares({ slots, studies, teamQuotas }: FairShareInput): Map<string, number> {
  const teams = new Map<string, StudyDemand[]>();
  for (const study of studies) teams.set(study.teamId, [...(teams.get(study.teamId) ?? []), study]);
  const teamShares = waterFill(
    slots,
    [...teams].map(([teamId, members]) => ({
      key: teamId,
      wanted: Math.min(teamQuotas.get(teamId) ?? Number.POSITIVE_INFINITY, sum(members, "wanted")),
      active: sum(members, "active"),
      minimum: 1,
    })),
  );

  const shares = new Map<string, number>();
  for (const [teamId, members] of teams) {
    let left = teamShares.get(teamId) ?? 0;
    const priorities = [...new Set(members.map((study) => study.priority))].sort((a, b) => b - a);
    for (const priority of priorities) {
      const group = waterFill(
        left,
        members
          .filter((study) => study.priority === priority)
          .map((study) => ({ key: study.studyId, wanted: study.wanted, active: study.active })),
      );
      for (const [studyId, share] of group) {
        shares.set(studyId, share);
        left -= share;
      }
    }
  }
  return shares;
}

interface Claim {
  key: string;
  wanted: number;
  /** Claims holding more now are served first, so that rounding never shrinks what runs. */
  active: number;
  /** Given even beyond the capacity (up to `wanted`). */
  minimum?: number;
}

/**
 * Max-min fair integers: each claim gets its minimum, then one slot at a time round the unsatisfied
 * claims until the capacity is spent. No claim gets more than it wants.
 */
function waterFill(capacity: number, claims: readonly Claim[]): Map<string, number> {
  const order = claims
    .map((claim, index) => ({ claim, index }))
    .sort((a, b) => b.claim.active - a.claim.active || a.index - b.index)
    .map(({ claim }) => claim);
  const given = new Map(
    order.map((claim) => [claim.key, Math.min(claim.minimum ?? 0, claim.wanted)]),
  );
  let left = capacity - [...given.values()].reduce((total, share) => total + share, 0);
  let hungry = order.filter((claim) => (given.get(claim.key) ?? 0) < claim.wanted);
  while (left > 0 && hungry.length > 0) {
    for (const claim of hungry) {
      if (left === 0) break;
      given.set(claim.key, (given.get(claim.key) ?? 0) + 1);
      left -= 1;
    }
    hungry = hungry.filter((claim) => (given.get(claim.key) ?? 0) < claim.wanted);
  }
  return given;
}

function sum(studies: readonly StudyDemand[], field: "wanted" | "active"): number {
  return studies.reduce((total, study) => total + study[field], 0);
}
