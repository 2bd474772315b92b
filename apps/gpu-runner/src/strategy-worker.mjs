// A worker thread's entry point: Node does not carry the main thread's TypeScript loader into
// workers, so this registers it before loading the worker's TypeScript source.
import { register } from "tsx/esm/api";

register();
await import("./strategy-worker.ts");
