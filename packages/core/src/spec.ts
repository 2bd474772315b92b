// Public entry point `@attune/core/spec`: what a study is, without running one. The study spec and
// its search space, the sampler and pruner specs, the trainer settings and metrics a spec names, the
// W&B sweep import, the LR range test's arithmetic, what a trial costs, and the spec's reference.
//
// Browser-safe: the web app's client components import it, so nothing here may reach TensorFlow.js,
// @attune/native or a Node built-in (test/entry-points.test.ts bundles it for a browser to check).
export {
  type OptimizerConfig,
  type OptimizerConfigInput,
  optimizerConfigSchema,
} from "./train/optimizer-config.ts";
export type { Budget, EvalReport, GenerationSample } from "./train/trainer.ts";
export {
  modelSizeProblem,
  stepsInBudget,
  type TrialCost,
  tokensPerOptimizerStep,
  trialCost,
} from "./trial/cost.ts";
export {
  generatingTasks,
  isEvaluationMetric,
  isObjectiveMetric,
  type MetricKey,
  objectiveMetrics,
  type TrialMetrics,
  trialMetrics,
} from "./trial/metric-definitions.ts";
export { checkObjectives } from "./trial/metrics.ts";
export { settingErrors } from "./trial/setting-errors.ts";
export {
  knownSettings,
  type SettingName,
  type TrialSettings,
  trialSettingsJsonSchema,
  trialSettingsSchema,
} from "./trial/settings-schema.ts";
export { MODEL_DECIDES } from "./tuning/base-model-spec.ts";
export {
  type CatalogueField,
  type CatalogueKind,
  prunerCatalogue,
  samplerCatalogue,
  settingsCatalogue,
  type ValueKind,
} from "./tuning/catalogue.ts";
export {
  type ConstraintViolation,
  type Measurements,
  measuredConstraintValues,
  measuredValues,
  settingCheck,
  settingValues,
  studyConstraints,
  violations,
} from "./tuning/constraints/study-constraints.ts";
export {
  type ObjectiveFit,
  type SettingGroup,
  suitsObjectives,
} from "./tuning/field-meta.ts";
export {
  defaultStudyLimits,
  describeLimit,
  type StudyLimits,
  studyLimitsFromEnv,
  studyLimitVariables,
} from "./tuning/limits.ts";
export { displayNameSchema, lineOfText } from "./tuning/names.ts";
export { type PrunerSpec, type PrunerSpecInput, prunerSpecSchema } from "./tuning/pruner-spec.ts";
export {
  type SamplerSpec,
  type SamplerSpecInput,
  samplerSpecSchema,
} from "./tuning/samplers/index.ts";
export {
  type CategoricalParam,
  type FloatParam,
  type IntParam,
  type ParamSpec,
  paramSpecSchema,
  paramValueSchema,
  type SearchSpace,
  type SpaceIssue,
  searchSpaceSchema,
  validateSearchSpace,
} from "./tuning/space.ts";
export {
  type Objective,
  objectiveSchema,
  parseStudySpec,
  type SpecError,
  type SpecResult,
  type StudySpec,
  type StudySpecInput,
  seedSchema,
  studySpecSchema,
  validateStudySpec,
} from "./tuning/spec.ts";
export { limitErrors } from "./tuning/spec-limits.ts";
export { studySpecReference } from "./tuning/spec-reference.ts";
export {
  type LrRangePoint,
  type LrRangeResult,
  narrowLrBounds,
} from "./tuning/strategies/lr-range-test.ts";
export type {
  Direction,
  IntermediateValue,
  IntermediateVector,
  Params,
  ParamValue,
  StudyHistory,
  TrialRecord,
  TrialState,
} from "./tuning/types.ts";
export { type ImportedSweep, importWandbSweep, type WandbImport } from "./tuning/wandb.ts";
