// Public entry point `@attune/core/tuning` (Node): the search itself, samplers, pruners and the
// analyses of a study's trials. The study spec and search space they work on are in `./spec.ts`.
export { askWithinConstraints, type ConstrainedAsk } from "./tuning/constraints/ask.ts";
export { parameterImportance } from "./tuning/importance.ts";
export { paretoFront } from "./tuning/pareto.ts";
export { createPruner } from "./tuning/pruners/index.ts";
export type { PruneDecision } from "./tuning/pruners/pruner.ts";
export { median } from "./tuning/pruners/reports.ts";
export { createSampler } from "./tuning/samplers/index.ts";
export { randomForTrial, SamplerExhaustedError } from "./tuning/samplers/sampler.ts";
export {
  sequenceLengthFromData,
  sequenceLengthPresets,
} from "./tuning/strategies/sequence-length.ts";
export { warmStartHistory } from "./tuning/warm-start.ts";
