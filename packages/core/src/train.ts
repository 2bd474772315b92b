// Public entry point `@attune/core/train` (Node, TensorFlow.js): the compute backend, checkpoints,
// optimizers and the trainer's reports.
export { type BackendChoice, backendNames, selectBackend } from "./train/backend.ts";
export { loadCheckpoint, saveCheckpoint } from "./train/checkpoint.ts";
export { disposeWithBase } from "./train/finetune.ts";
export { Optimizer } from "./train/optimizers.ts";
export type { EvalReport, GenerationSample, StepReport } from "./train/trainer.ts";
