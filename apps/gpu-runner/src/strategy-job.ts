// One strategy job (an LR range test or a batch-size strategy): claim the run, load its dataset and
// the model it starts from, if any, run the strategy in a worker thread with its own TensorFlow.js,
// as trials run, and store its result or why it failed. A cancel stops it; a runner shutting down puts it back on the queue, to
// start again on another runner.
import { Worker } from "node:worker_threads";
import { readDatasetSamples } from "@attune/control";
import { parseStrategyRequest } from "@attune/core/trial";
import {
  claimStrategyRun,
  completeStrategyRun,
  type Database,
  failStrategyRun,
  findModelByReference,
  getDataset,
  getStrategyRun,
  readModelFiles,
  requeueStrategyRun,
  type StrategyRun,
} from "@attune/db";
import { log } from "@attune/runtime/log";
import { persistently } from "./metric-writer.ts";
import type { TrialJobContext } from "./trial-job.ts";
import type { StrategyToRunner, StrategyWork, ToStrategyWorker } from "./worker-protocol.ts";

/** What a strategy job needs from its runner: the same as a trial job, bar checkpoints. */
export type StrategyJobContext = Pick<
  TrialJobContext,
  "db" | "queue" | "runnerId" | "directiveIntervalMs" | "shutdown"
>;

type StopCause = "cancel" | "shutdown";

export async function runStrategyJob(context: StrategyJobContext, runId: string): Promise<void> {
  try {
    const run = await claimStrategyRun(context.db, runId, context.runnerId());
    if (run) await runClaimed(context, run);
  } catch (error) {
    // The queue retries the job; a run that was running is claimed again from the start.
    log.error("strategy.job.failed", { runId, message: (error as Error).message });
    throw error;
  }
}

async function runClaimed(context: StrategyJobContext, run: StrategyRun): Promise<void> {
  const { db } = context;
  log.info("strategy.start", { runId: run.id, kind: run.kind, projectId: run.projectId });
  const dataset = await getDataset(db, run.datasetId);
  if (!dataset) {
    await fail(db, run, `dataset ${run.datasetId} is gone`);
    return;
  }
  let work: StrategyWork;
  try {
    const request = parseStrategyRequest(run.kind, run.settings);
    work = {
      request,
      // Built-in corpora are read from their package, uploads from the database.
      dataset: await readDatasetSamples(db, dataset),
      ...(request.model !== undefined && {
        baseModel: await readStartModel(db, run.projectId, request.model),
      }),
    };
  } catch (error) {
    // Settings, data or a model that cannot be used: retrying will not help.
    await fail(db, run, (error as Error).message);
    return;
  }

  let ended: { message: StrategyToRunner; cause: StopCause | undefined };
  try {
    ended = await runInWorker(context, run.id, work);
  } catch (error) {
    await fail(db, run, `the strategy's worker crashed: ${(error as Error).message}`);
    return;
  }
  const { message, cause } = ended;
  if (message.type === "failed") {
    await fail(db, run, message.message);
  } else if (message.type === "done") {
    const stored = await persistently(`result of strategy run ${run.id}`, () =>
      completeStrategyRun(db, run.id, { ...message.result }),
    );
    log.info(stored ? "strategy.completed" : "strategy.result.discarded", { runId: run.id });
  } else if (cause === "shutdown") {
    await requeueStrategyRun(db, context.queue, run.id);
    log.info("strategy.requeued", { runId: run.id });
  } else {
    log.info("strategy.cancelled", { runId: run.id });
  }
}

/** Runs the strategy in a worker thread until it says how it ended; stops it on cancel or shutdown. */
async function runInWorker(
  context: StrategyJobContext,
  runId: string,
  work: StrategyWork,
): Promise<{ message: StrategyToRunner; cause: StopCause | undefined }> {
  const worker = new Worker(new URL("./strategy-worker.mjs", import.meta.url), {
    workerData: work,
  });
  let cause: StopCause | undefined;
  const stop = (why: StopCause) => {
    cause ??= why;
    worker.postMessage({ type: "stop" } satisfies ToStrategyWorker);
  };
  const onShutdown = () => stop("shutdown");
  context.shutdown.addEventListener("abort", onShutdown);
  // Cancelled, or gone with its project: the run is no longer this runner's.
  const watch = setInterval(async () => {
    try {
      if ((await getStrategyRun(context.db, runId))?.status !== "running") stop("cancel");
    } catch (error) {
      log.warn("strategy.status.unreadable", { runId, message: (error as Error).message });
    }
  }, context.directiveIntervalMs);
  try {
    const message = await new Promise<StrategyToRunner>((resolve, reject) => {
      worker.once("message", resolve);
      worker.once("error", reject);
      worker.once("exit", (code) => reject(new Error(`it exited with code ${code}`)));
    });
    return { message, cause };
  } finally {
    clearInterval(watch);
    context.shutdown.removeEventListener("abort", onShutdown);
    await worker.terminate();
  }
}

/** The files of the project's model that the run starts from; throws if it is not ready. */
async function readStartModel(db: Database, projectId: string, reference: string) {
  const model = await findModelByReference(db, projectId, reference);
  if (model?.status !== "ready") {
    const state = model ? `is ${model.status}` : "is not in the run's project";
    throw new Error(`model "${reference}" ${state}: strategies start only from a ready model`);
  }
  return readModelFiles(db, model.id);
}

async function fail(db: Database, run: StrategyRun, error: string): Promise<void> {
  await failStrategyRun(db, run.id, error);
  log.warn("strategy.failed", { runId: run.id, kind: run.kind, error });
}
