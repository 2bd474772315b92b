// A worker thread that runs one strategy with its own TensorFlow.js, reporting through messages.
import { parentPort, workerData } from "node:worker_threads";
import { selectBackend } from "@attune/core/train";
import { runStrategy, StrategyStoppedError } from "@attune/core/trial";
import type { StrategyToRunner, StrategyWork, ToStrategyWorker } from "./worker-protocol.ts";

const port = parentPort;
if (!port) throw new Error("strategy-worker.ts runs as a worker thread");
const work = workerData as StrategyWork;
const send = (message: StrategyToRunner) => port.postMessage(message);

let stopRequested = false;
port.on("message", (message: ToStrategyWorker) => {
  if (message.type === "stop") stopRequested = true;
});

try {
  await selectBackend();
  const result = await runStrategy(work.request, {
    dataset: work.dataset,
    baseModel: work.baseModel,
    stop: () => stopRequested,
  });
  send({ type: "done", result });
} catch (error) {
  send(
    error instanceof StrategyStoppedError
      ? { type: "stopped" }
      : { type: "failed", message: error instanceof Error ? error.message : String(error) },
  );
}
port.close();
