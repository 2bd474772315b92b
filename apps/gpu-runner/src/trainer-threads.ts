// Warm worker threads for trials: each loads TensorFlow.js once and then trains one trial after
// another, so a trial starts training within milliseconds of being claimed.
import { Worker } from "node:worker_threads";
import { log } from "@attune/runtime/log";

const entry = new URL("./trial-worker.mjs", import.meta.url);

export class TrainerThreads {
  private readonly idle: Worker[] = [];

  /** Starts `warm` threads ahead of the first trial. */
  constructor(warm: number) {
    for (let i = 0; i < warm; i++) this.idle.push(this.spawn());
  }

  /** An idle warm thread, or a new one when all are busy. */
  acquire(): Worker {
    return this.idle.pop() ?? this.spawn();
  }

  /** Back to the idle set after a trial it finished; a thread that failed is replaced instead. */
  release(worker: Worker, healthy: boolean) {
    worker.removeAllListeners("message");
    worker.removeAllListeners("error");
    worker.removeAllListeners("exit");
    if (healthy) {
      this.watch(worker);
      this.idle.push(worker);
    } else void worker.terminate();
  }

  async close(): Promise<void> {
    await Promise.all(this.idle.splice(0).map((worker) => worker.terminate()));
  }

  private spawn(): Worker {
    const worker = new Worker(entry);
    this.watch(worker);
    return worker;
  }

  /** An idle thread that dies leaves the idle set, so it is never handed a trial. */
  private watch(worker: Worker) {
    worker.once("error", (error) => log.warn("trainer_thread.error", { message: error.message }));
    worker.once("exit", () => {
      const index = this.idle.indexOf(worker);
      if (index >= 0) this.idle.splice(index, 1);
    });
  }
}
