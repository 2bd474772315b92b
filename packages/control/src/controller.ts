// Study control: while a study runs, keep its queue holding up to its parallelism in trials, each
// asked from its sampler with the history so far, until the budget is spent; then complete it.
// Its parallelism is capped by its fair share of the runner slots (fair-share.ts), so that one
// study's backlog never fills the queue ahead of other teams' trials.
// Any number of runners call this at once: the study row's lock makes each decision happen once.

import {
  limitErrors,
  modelSizeProblem,
  type SpecError,
  type StudyHistory,
  type StudyLimits,
  type StudySpec,
  settingCheck,
} from "@attune/core/spec";
import {
  askWithinConstraints,
  type ConstrainedAsk,
  createPruner,
  createSampler,
  paretoFront,
  randomForTrial,
  SamplerExhaustedError,
  warmStartHistory,
} from "@attune/core/tuning";
import {
  createTrial,
  type Database,
  getStudy,
  type JobQueue,
  listStudyIdsByStatus,
  listTrials,
  lockStudy,
  readStudySeries,
  reserveTrialNumber,
  type Study,
  setBestTrial,
  type Transaction,
  type Trial,
  updateStudyStatus,
  updateTrial,
} from "@attune/db";
import { log } from "@attune/runtime/log";
import {
  objectiveKeys,
  readConstraintValues,
  specOf,
  toHistory,
  wallTimeSpent,
} from "./history.ts";
import { configuredStudyLimits } from "./limits.ts";
import { studySlotShare } from "./slots.ts";

export interface FillResult {
  /** Trial numbers created and queued this time. */
  created: number[];
  /** Trial numbers created failed, not queued: their model is beyond the limits. */
  refused: number[];
  /** Trial numbers put back on the queue: promoted at a rung, or resumed with their study. */
  requeued: number[];
  /** The study completed this time. */
  completed: boolean;
  /** The study failed this time: its spec is beyond the limits. */
  failed: boolean;
}

const nothing: FillResult = {
  created: [],
  refused: [],
  requeued: [],
  completed: false,
  failed: false,
};

/** One decision round for every running study; studies locked by another runner are skipped. */
export async function controlStudies(
  db: Database,
  queue: JobQueue,
  limits: StudyLimits = configuredStudyLimits(),
): Promise<void> {
  for (const studyId of await listStudyIdsByStatus(db, "running")) {
    try {
      await fillStudy(db, queue, studyId, limits);
    } catch (error) {
      log.error("study.control.failed", { studyId, message: (error as Error).message });
    }
  }
}

/** Queues what the study needs now, or completes it when nothing is left to run. */
export async function fillStudy(
  db: Database,
  queue: JobQueue,
  studyId: string,
  limits: StudyLimits = configuredStudyLimits(),
): Promise<FillResult> {
  return db.transaction(async (tx) => {
    const study = await lockStudy(tx, studyId);
    if (study?.status !== "running") return nothing;
    const spec = specOf(study);
    // Beyond the limits (set lower since it was created, or created before they existed), the
    // study would otherwise be retried, and fail, every round.
    const overLimits = limitErrors(spec, limits);
    if (overLimits.length > 0) {
      await failStudy(tx, study, overLimits);
      return { ...nothing, failed: true };
    }
    const trials = await listTrials(tx, studyId);
    const history = toHistory(
      spec,
      trials,
      await readStudySeries(tx, studyId, objectiveKeys(spec)),
      await readConstraintValues(tx, spec, studyId, trials),
    );

    // The best so far, as results arrive: the dashboard, the export and the CLI follow it.
    const best = bestTrial(trials, history);
    if (best && best.id !== study.bestTrialId) await setBestTrial(tx, study.id, best.id);

    // Queued or training at once: at most its parallelism, and at most its share of the runners.
    const allowance = Math.min(spec.budget.parallelTrials, await studySlotShare(tx, studyId));
    const active = trials.filter((trial) => trial.state === "queued" || trial.state === "running");
    const resumable = resumableTrials(spec, trials, history);
    const requeued = await requeueTrials(
      tx,
      queue,
      resumable.slice(0, Math.max(0, allowance - active.length)),
    );
    const created: number[] = [];
    const refused: number[] = [];
    const trialCount = () => trials.length + created.length + refused.length;
    let exhausted = false;
    if (!wallTimeSpent(study, spec)) {
      const samplerHistory = await withWarmStart(tx, spec, history);
      while (active.length + requeued.length + created.length < allowance) {
        if (trialCount() >= spec.budget.trials) break;
        const trial = await createNextTrial(tx, queue, study, spec, samplerHistory, limits);
        if (trial === undefined) {
          exhausted = true;
          break;
        }
        (trial.state === "queued" ? created : refused).push(trial.number);
        samplerHistory.trials.push({
          number: trial.number,
          params: trial.params,
          state: trial.state,
          intermediate: [],
        });
      }
    } else {
      exhausted = true;
    }

    const idle = active.length + requeued.length + created.length === 0;
    const budgetSpent = trialCount() >= spec.budget.trials || exhausted;
    // Trials held back for want of slots still have to run before the study can end.
    const waitingForSlots = requeued.length < resumable.length;
    if (idle && budgetSpent && !waitingForSlots) {
      await completeStudy(tx, study, spec, trials, best);
      return { ...nothing, created, refused, requeued, completed: true };
    }
    if (created.length > 0 || refused.length > 0 || requeued.length > 0) {
      log.info("study.filled", { studyId, created, refused, requeued, allowance });
    }
    return { ...nothing, created, refused, requeued };
  });
}

/** Trials paused with their study, and trials a rung pruner promotes: they go back on the queue. */
function resumableTrials(
  spec: StudySpec,
  trials: readonly Trial[],
  history: StudyHistory,
): Trial[] {
  const promoted = new Set(createPruner(spec.pruner).promotions(history));
  return trials.filter(
    (trial) =>
      trial.state === "paused" &&
      (trial.pauseReason === "study" ||
        (trial.pauseReason === "rung" && promoted.has(trial.number))),
  );
}

async function requeueTrials(
  tx: Transaction,
  queue: JobQueue,
  resume: readonly Trial[],
): Promise<number[]> {
  for (const trial of resume) {
    await updateTrial(tx, trial.id, { state: "queued", pauseReason: null });
    await queue.enqueue(tx, "trial", { trialId: trial.id });
  }
  return resume.map((trial) => trial.number);
}

async function createNextTrial(
  tx: Transaction,
  queue: JobQueue,
  study: Study,
  spec: StudySpec,
  history: StudyHistory,
  limits: StudyLimits,
): Promise<Trial | undefined> {
  const number = await reserveTrialNumber(tx, study.id);
  const broken = settingCheck(spec);
  const sampler = createSampler(
    spec.sampler,
    study.seed,
    limits,
    spec.pruner,
    broken && ((params) => broken(params).length === 0),
  );
  let asked: ConstrainedAsk;
  try {
    const random = randomForTrial(study.seed, number);
    asked = askWithinConstraints(sampler, spec.searchSpace, history, random, broken);
  } catch (error) {
    if (error instanceof SamplerExhaustedError) return undefined;
    throw error;
  }
  const { params } = asked;
  // Refused before a runner builds it: settings that break a constraint would train for nothing,
  // and a model beyond the limits would take the runner's memory.
  const problem = asked.ok ? modelSizeProblem({ ...spec.fixed, ...params }, limits) : asked.problem;
  if (problem !== undefined) {
    const error = `refused before queueing: ${problem}`;
    log.warn("study.trial.refused", { studyId: study.id, trial: number, error });
    return createTrial(tx, {
      studyId: study.id,
      number,
      params,
      state: "failed",
      error,
      finishedAt: new Date(),
    });
  }
  const trial = await createTrial(tx, { studyId: study.id, number, params });
  await queue.enqueue(tx, "trial", { trialId: trial.id });
  return trial;
}

/** Fails a study whose spec is beyond the limits, saying why on the study and in the log. */
async function failStudy(tx: Transaction, study: Study, problems: SpecError[]): Promise<void> {
  const reasons = problems.map((problem) => `${problem.path}: ${problem.message}`);
  const error = `beyond this deployment's limits: ${reasons.join("; ")}`;
  await updateStudyStatus(tx, study.id, "failed", error);
  log.error("study.failed", { studyId: study.id, error });
}

/** The sampler also sees the completed trials of the study this one was seeded from. */
async function withWarmStart(
  tx: Transaction,
  spec: StudySpec,
  history: StudyHistory,
): Promise<StudyHistory> {
  const sourceId = spec.warmStart?.studyId;
  if (!sourceId) return { ...history, trials: [...history.trials] };
  const source = await getStudy(tx, sourceId);
  if (!source) return { ...history, trials: [...history.trials] };
  const sourceSpec = specOf(source);
  const sourceTrials = await listTrials(tx, source.id, ["completed"]);
  const previous = toHistory(sourceSpec, sourceTrials, []);
  const seeded = warmStartHistory(previous, spec.searchSpace);
  return { ...history, trials: [...seeded.trials, ...history.trials] };
}

/**
 * The study's best completed trial: of the Pareto front (for one objective, the trials with the
 * best value), the one best on the first objective.
 */
function bestTrial(trials: readonly Trial[], history: StudyHistory): Trial | undefined {
  const [firstDirection] = history.directions;
  const best = paretoFront(history.trials, history.directions).sort((a, b) => {
    const difference = (a.values?.[0] ?? 0) - (b.values?.[0] ?? 0);
    return firstDirection === "maximize" ? -difference : difference;
  })[0];
  return best && trials.find((trial) => trial.number === best.number);
}

/**
 * Completes the study, whose best trial this round has recorded. Trials still waiting at a rung
 * lost there (a paused trial never counts as best: only completed ones do).
 */
async function completeStudy(
  tx: Transaction,
  study: Study,
  spec: StudySpec,
  trials: readonly Trial[],
  best: Trial | undefined,
): Promise<void> {
  for (const trial of trials) {
    if (trial.state === "paused") {
      await updateTrial(tx, trial.id, {
        state: "pruned",
        pauseReason: null,
        finishedAt: new Date(),
      });
    }
  }
  await updateStudyStatus(tx, study.id, "completed");
  log.info("study.completed", {
    studyId: study.id,
    bestTrial: best?.number ?? null,
    objectives: spec.objectives.length,
  });
}
