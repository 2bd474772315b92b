import type {
  Direction,
  StudyHistory,
  TrialRecord,
  TrialState,
} from "../../../src/tuning/types.ts";

/** A trial whose reports are [step, value] pairs. */
export function trial(
  number: number,
  state: TrialState,
  reports: [step: number, value: number][],
): TrialRecord {
  return {
    number,
    params: {},
    state,
    intermediate: reports.map(([step, value]) => ({ step, value })),
  };
}

/** A trial reporting at steps 1, 2, 3, ... */
export function curve(number: number, state: TrialState, values: number[]): TrialRecord {
  return trial(
    number,
    state,
    values.map((value, i) => [i + 1, value]),
  );
}

export function study(trials: TrialRecord[], direction: Direction = "minimize"): StudyHistory {
  return { directions: [direction], trials };
}
