// The study dashboard's trial table as one query: every trial of a study, read in pages.
import type { RouterInputs, RouterOutputs } from "@attune/api";

type TrialPage = RouterOutputs["trials"]["list"];
export type StudyTrial = TrialPage["trials"][number];

/** Trials per trials.list call: the most it gives. */
const PAGE = 500;

export function studyTrialsKey(studyId: string) {
  return ["study-trials", studyId] as const;
}

/** Every trial of the study by number: one call for up to 500, more in parallel beyond. */
export async function readStudyTrials(
  studyId: string,
  list: (input: RouterInputs["trials"]["list"]) => Promise<TrialPage>,
): Promise<StudyTrial[]> {
  const first = await list({ studyId, limit: PAGE });
  const rest = [];
  for (let offset = PAGE; offset < first.total; offset += PAGE) {
    rest.push(list({ studyId, limit: PAGE, offset }));
  }
  const pages = await Promise.all(rest);
  // A trial created while the pages were read can appear twice; keep it once.
  const byId = new Map<string, StudyTrial>();
  for (const trial of [first, ...pages].flatMap((page) => page.trials)) {
    byId.set(trial.id, trial);
  }
  return [...byId.values()].sort((a, b) => a.number - b.number);
}
