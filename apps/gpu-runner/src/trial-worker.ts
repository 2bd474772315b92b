// A worker thread that trains trials, one at a time, with its own TensorFlow.js; it reports
// through messages and waits for the next trial when one is done.
import { parentPort } from "node:worker_threads";
import { selectBackend } from "@attune/core/train";
import { BaseCache, runTrial, TrialConfigError } from "@attune/core/trial";
import { log } from "@attune/runtime/log";
import type { ToRunner, ToWorker, TrialWork } from "./worker-protocol.ts";

const port = parentPort;
if (!port) throw new Error("trial-worker.ts runs as a worker thread");
const send = (message: ToRunner, transfer: ArrayBuffer[] = []) =>
  port.postMessage(message, transfer);

// Loading the backend before the first trial is what makes the thread warm.
const backend = selectBackend();
// The last model's weights, for the thread's next trial of the same model.
const bases = new BaseCache();

let stopRequested = false;
let nextVerdictId = 0;
const verdicts = new Map<number, (stop: boolean) => void>();

port.on("message", (message: ToWorker) => {
  if (message.type === "train") void train(message.work);
  else if (message.type === "stop") stopRequested = true;
  else verdicts.get(message.id)?.(message.stop);
});

async function train(work: TrialWork) {
  stopRequested = false;
  try {
    await backend;
    const { baseModel, ...rest } = work;
    if (baseModel) {
      const { contentHash } = baseModel;
      log.info("trial.base_model", { contentHash, kept: bases.holds(contentHash) });
    } else {
      // Kept only for the next trial: one without a model frees it.
      bases.dispose();
    }
    const outcome = await runTrial({
      ...rest,
      ...(baseModel && {
        baseModel: baseModel.files,
        baseCache: { cache: bases, contentHash: baseModel.contentHash },
      }),
      stop: () => stopRequested,
      onBaseline: (metrics) => send({ type: "baseline", metrics }),
      onStep: (report) => send({ type: "step", report }),
      onEval: (report) =>
        new Promise<"continue" | "stop">((resolve) => {
          const id = nextVerdictId++;
          verdicts.set(id, (stop) => {
            verdicts.delete(id);
            resolve(stop ? "stop" : "continue");
          });
          send({ type: "eval", id, report });
        }),
      onCheckpoint: ({ bytes, step, kind }) => {
        const copy = bytes.slice();
        send({ type: "checkpoint", kind, step, bytes: copy }, [copy.buffer as ArrayBuffer]);
      },
    });
    send({ type: "done", outcome });
  } catch (error) {
    send({
      type: "failed",
      message: error instanceof Error ? error.message : String(error),
      configError: error instanceof TrialConfigError,
    });
  }
}
