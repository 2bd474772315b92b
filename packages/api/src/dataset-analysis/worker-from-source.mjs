// The worker's entry when the API runs from TypeScript source (tests, tsx): Node does not carry the
// main thread's TypeScript loader into workers, so this registers it before loading the worker.
import { workerData } from "node:worker_threads";
import { register } from "tsx/esm/api";

register();
await import(workerData.entry);
