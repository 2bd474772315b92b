// One trial job: claim the trial, train it in a worker thread (from its last checkpoint, if an
// earlier attempt left one), stream its metrics and checkpoints, ask the pruner at every
// evaluation, obey cancel and pause, and record how it ended. Then let the study queue the next.
import { decideTrial, fillStudy, objectiveKeys, readStoredDataset, specOf } from "@attune/control";
import {
  evaluationMetrics,
  objectiveValue,
  stepMetrics,
  type TrialOutcome,
  trialBudget,
} from "@attune/core/trial";
import {
  claimTrial,
  type Database,
  findModelByReference,
  findProjectDataset,
  getCheckpoint,
  getStudy,
  getTrial,
  type JobQueue,
  readTrialDirective,
  type Trial,
  updateTrial,
} from "@attune/db";
import { log } from "@attune/runtime/log";
import { persistently, TrialWriter } from "./metric-writer.ts";
import type { ModelFilesCache } from "./model-files.ts";
import type { TrainerThreads } from "./trainer-threads.ts";
import type { ToRunner, ToWorker, TrialWork } from "./worker-protocol.ts";

/** Attempts at one trial before it fails for good (a crash, a lost runner, a retry each). */
export const MAX_TRIAL_ATTEMPTS = 3;

export interface TrialJobContext {
  db: Database;
  queue: JobQueue;
  runnerId: () => string;
  checkpointInterval: number;
  /** How often a running trial looks for cancel and pause. */
  directiveIntervalMs: number;
  /** Warm threads that train the trials. */
  threads: TrainerThreads;
  /** The files of the models that trials start from, read once per content. */
  models: ModelFilesCache;
  /** Aborted when the runner shuts down: trials checkpoint and go back on the queue. */
  shutdown: AbortSignal;
}

/**
 * How long a stopped trial may take to end by itself before its thread is ended: a cancelled one
 * has nothing to keep, the others first save a checkpoint to resume from. A thread busy in one
 * long synchronous call (building a huge model, a long kernel) reads no message, so only ending
 * the thread stops it, and ending it frees everything the trial held.
 */
const CANCEL_GRACE_MS = 2_000;
const STOP_GRACE_MS = 30_000;

/** Why training stopped early, when it did. */
type StopCause =
  | { kind: "prune"; reason: string }
  | { kind: "rung"; reason: string }
  | { kind: "cancel" }
  | { kind: "pause" }
  | { kind: "shutdown" };

/** How a trial's thread ended: it said so, or it was ended after ignoring a stop. */
type Ended = (ToRunner & { type: "done" | "failed" }) | { type: "thread-ended" };

export async function runTrialJob(context: TrialJobContext, trialId: string): Promise<void> {
  const { db, queue } = context;
  const directive = await readTrialDirective(db, trialId);
  const before = await getTrial(db, trialId);
  if (!before || !["queued", "running"].includes(before.state)) return;
  if (directive !== "continue") {
    await finish(db, before, directive === "cancel" ? { kind: "cancel" } : { kind: "pause" });
    return;
  }
  const trial = await claimTrial(db, trialId, context.runnerId());
  if (!trial) return;
  try {
    if (trial.attempts > MAX_TRIAL_ATTEMPTS) {
      await updateTrial(db, trial.id, {
        state: "failed",
        error: `gave up after ${MAX_TRIAL_ATTEMPTS} attempts (runners lost or crashed while training it)`,
        finishedAt: new Date(),
      });
      return;
    }
    await train(context, trial);
  } finally {
    await persistently(`next trials of study ${trial.studyId}`, () =>
      fillStudy(db, queue, trial.studyId),
    );
  }
}

async function train(context: TrialJobContext, trial: Trial): Promise<void> {
  const { db } = context;
  const study = await getStudy(db, trial.studyId);
  if (!study) throw new Error(`trial ${trial.id}: study ${trial.studyId} is gone`);
  const spec = specOf(study);
  const dataset = await findProjectDataset(db, study.projectId, spec.dataset);
  if (!dataset) {
    await fail(db, trial, `dataset "${spec.dataset}" is not in the study's project`);
    return;
  }
  const model =
    spec.model === undefined
      ? undefined
      : await findModelByReference(db, study.projectId, spec.model);
  if (spec.model !== undefined && model?.status !== "ready") {
    const state = model ? `is ${model.status}` : "is not in the study's project";
    await fail(db, trial, `model "${spec.model}" ${state}: trials start only from a ready model`);
    return;
  }
  const resume = await getCheckpoint(db, trial.id, "last");
  const [objective] = spec.objectives;
  const storedDataset = await readStoredDataset(db, dataset);
  // Shared with the worker, and with later trials of the same model.
  const baseFiles = model && (await context.models.acquire(model));
  try {
    const work: TrialWork = {
      task: spec.task,
      dataset: storedDataset,
      settings: { ...spec.fixed, ...trial.params },
      budget: trialBudget(spec.budget),
      seed: (study.seed + trial.number) >>> 0,
      checkpointEvery: context.checkpointInterval,
      objective: objective ?? { metric: "val_loss", direction: "minimize" },
      ...(resume?.data ? { resumeFrom: new Uint8Array(resume.data) } : {}),
      ...(baseFiles && {
        baseModel: { files: baseFiles.files, contentHash: baseFiles.contentHash },
      }),
    };
    log.info("trial.start", {
      trialId: trial.id,
      study: study.id,
      number: trial.number,
      attempt: trial.attempts,
      resumeStep: resume?.step ?? 0,
    });
    await trainInWorker(context, trial, work, objectiveKeys(spec));
  } finally {
    baseFiles?.release();
  }
}

/** Trains the trial in a warm thread while relaying its reports, then records how it ended. */
async function trainInWorker(
  context: TrialJobContext,
  trial: Trial,
  work: TrialWork,
  objectiveMetrics: string[],
): Promise<void> {
  const { db } = context;
  const writer = new TrialWriter(db, trial.id);
  const worker = context.threads.acquire();
  const tell = (message: ToWorker) => worker.postMessage(message);
  let workerHealthy = false;
  let cause: StopCause | undefined;
  let lastStep = trial.lastStep;
  let endThreadAt = Number.POSITIVE_INFINITY;
  let endThread: NodeJS.Timeout | undefined;
  let threadEnded = false;
  const stop = (why: StopCause) => {
    cause ??= why;
    tell({ type: "stop" });
    const deadline = Date.now() + (why.kind === "cancel" ? CANCEL_GRACE_MS : STOP_GRACE_MS);
    if (deadline >= endThreadAt) return;
    endThreadAt = deadline;
    clearTimeout(endThread);
    endThread = setTimeout(() => {
      threadEnded = true;
      void worker.terminate();
    }, deadline - Date.now());
  };
  const onShutdown = () => stop({ kind: "shutdown" });
  context.shutdown.addEventListener("abort", onShutdown);
  const watch = setInterval(async () => {
    try {
      const directive = await readTrialDirective(db, trial.id);
      if (directive === "cancel") stop({ kind: "cancel" });
      if (directive === "pause") stop({ kind: "pause" });
    } catch (error) {
      log.warn("trial.directive.unreadable", {
        trialId: trial.id,
        message: (error as Error).message,
      });
    }
  }, context.directiveIntervalMs);

  try {
    const ended = await new Promise<Ended>((resolve, reject) => {
      worker.on("message", async (message: ToRunner) => {
        switch (message.type) {
          // At step 0, before any training: a resumed attempt rewrites the same values.
          case "baseline":
            writer.add(0, message.metrics);
            return;
          case "step":
            lastStep = message.report.step;
            writer.add(message.report.step, stepMetrics(message.report));
            return;
          case "eval": {
            writer.add(message.report.step, evaluationMetrics(message.report));
            writer.addSamples(message.report.step, message.report.samples ?? []);
            await writer.flush();
            const decision = await persistently(`pruning decision for trial ${trial.id}`, () =>
              decideTrial(db, trial.studyId, trial.number),
            );
            if (decision.action === "prune") stop({ kind: "prune", reason: decision.reason });
            if (decision.action === "pause") stop({ kind: "rung", reason: decision.reason });
            tell({ type: "verdict", id: message.id, stop: cause !== undefined });
            return;
          }
          case "checkpoint":
            await writer.checkpoint(message.kind, message.step, message.bytes);
            return;
          default:
            resolve(message);
        }
      });
      worker.once("error", reject);
      worker.once("exit", (code) =>
        threadEnded
          ? resolve({ type: "thread-ended" })
          : reject(new Error(`trial worker exited with code ${code}`)),
      );
      tell({ type: "train", work });
    });
    if (ended.type === "thread-ended") {
      await writer.close();
      log.warn("trial.thread_ended", { trialId: trial.id, cause: cause?.kind, lastStep });
      await finish(db, trial, cause ?? { kind: "shutdown" }, lastStep, context.queue);
      return;
    }
    workerHealthy = true;
    if (ended.type === "done") {
      // The model's size, stored once beside its tokens/s: together they give the runner's
      // FLOP/s, which prices other settings before they run (runnerThroughput).
      const { param_count, flops_per_token } = ended.outcome.metrics;
      writer.add(ended.outcome.step, { param_count, flops_per_token });
    }
    await writer.close();
    if (ended.type === "failed") {
      if (!ended.configError)
        throw new Error(`trial ${trial.id} failed in its worker: ${ended.message}`);
      await fail(db, trial, ended.message);
      return;
    }
    await record(context, trial, ended.outcome, cause, objectiveMetrics);
  } finally {
    clearTimeout(endThread);
    clearInterval(watch);
    context.shutdown.removeEventListener("abort", onShutdown);
    context.threads.release(worker, workerHealthy);
  }
}

/** Stores how the trial ended: its values when it ran its budget, else why it stopped. */
async function record(
  context: TrialJobContext,
  trial: Trial,
  outcome: TrialOutcome,
  cause: StopCause | undefined,
  objectiveMetrics: string[],
): Promise<void> {
  const { db } = context;
  const lastStep = outcome.step;
  if (outcome.reason === "diverged") {
    await fail(db, trial, `diverged: ${outcome.detail ?? "loss is not finite"}`, lastStep);
  } else if (outcome.reason === "budget") {
    const values = objectiveMetrics.map((metric) => objectiveValue(metric, outcome.metrics));
    await updateTrial(db, trial.id, {
      state: "completed",
      values,
      lastStep,
      finishedAt: new Date(),
      error: null,
    });
    log.info("trial.completed", { trialId: trial.id, values, lastStep });
  } else {
    await finish(db, trial, cause ?? { kind: "shutdown" }, lastStep, context.queue);
  }
}

/** Records a trial that stopped early; a shutdown puts it back on the queue for another runner. */
async function finish(
  db: Database,
  trial: Trial,
  cause: StopCause,
  lastStep = trial.lastStep,
  queue?: JobQueue,
) {
  const now = new Date();
  switch (cause.kind) {
    case "prune":
      await updateTrial(db, trial.id, {
        state: "pruned",
        lastStep,
        error: cause.reason,
        finishedAt: now,
      });
      break;
    case "rung":
      await updateTrial(db, trial.id, {
        state: "paused",
        pauseReason: "rung",
        lastStep,
        error: cause.reason,
      });
      break;
    case "pause":
      await updateTrial(db, trial.id, { state: "paused", pauseReason: "study", lastStep });
      break;
    case "cancel":
      await updateTrial(db, trial.id, { state: "cancelled", lastStep, finishedAt: now });
      break;
    case "shutdown":
      await db.transaction(async (tx) => {
        await updateTrial(tx, trial.id, { state: "queued", lastStep, runnerId: null });
        await queue?.enqueue(tx, "trial", { trialId: trial.id });
      });
      break;
  }
  log.info("trial.stopped", { trialId: trial.id, cause: cause.kind, lastStep });
}

async function fail(db: Database, trial: Trial, error: string, lastStep = trial.lastStep) {
  await updateTrial(db, trial.id, { state: "failed", error, lastStep, finishedAt: new Date() });
  log.warn("trial.failed", { trialId: trial.id, error });
}
