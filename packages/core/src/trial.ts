// Public entry point `@attune/core/trial` (Node, TensorFlow.js): running one trial or one strategy
// (the LR range test, batch-size searches) and the metrics a run reports. The settings' schema and
// the metrics' definitions are in `./spec.ts`.
export { restoreTrialCheckpoint } from "./trial/base-model.ts";
export { TrialConfigError } from "./trial/config-error.ts";
export { conversationPromptTokens } from "./trial/generation-eval.ts";
export { evaluationMetrics, objectiveValue, stepMetrics } from "./trial/metrics.ts";
export {
  adapterExportRefusal,
  checkpointAdapterFolder,
  checkpointModelFolder,
  exportTrialModel,
  type ModelExportFormat,
  type ModelProvenance,
  modelExportFormats,
} from "./trial/model-export.ts";
export { runTrial, type TrialOutcome, type TrialRunOptions } from "./trial/run.ts";
export { parseTrialSettings, type TrialDataset, trialBudget } from "./trial/settings.ts";
export { BaseCache } from "./trial/shared-base.ts";
export { runStrategy, type StrategyResult, StrategyStoppedError } from "./trial/strategies.ts";
export {
  parseStrategyRequest,
  type StrategyKind,
  type StrategyRequest,
  strategyOptionsSchemas,
} from "./trial/strategy-request.ts";
