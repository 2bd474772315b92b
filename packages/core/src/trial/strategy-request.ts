/**
 * What a stored strategy run asks for (a StrategyRequest): the strategy, the trial it trains, the
 * model it may start from and the strategy's options. parseStrategyRequest checks a run's settings,
 * naming every problem, as the API does before it queues the run and the runner before it runs it.
 */
import { z } from "zod";
import { baseModelSpecIssues } from "../tuning/base-model-spec.ts";
import { paramValueSchema } from "../tuning/space.ts";
import { studySpecSchema } from "../tuning/spec.ts";
import { TrialConfigError } from "./config-error.ts";
import { parseTrialSettings, type TrialSettingsInput, type TrialTask } from "./settings.ts";

const count = (min: number) => z.number().int({ error: "must be a whole number" }).min(min);
const batchSizes = z.array(count(1)).min(1, { error: "needs at least one batch size" });
/** Tokens each candidate trains on, the same for all so that they compare fairly. */
const tokenBudget = count(1);

/** Each strategy's options, checked and defaulted; the algorithms check the rules across options. */
export const strategyOptionsSchemas = {
  "lr-range-test": z.strictObject({
    minLr: z.number().positive().default(1e-6),
    maxLr: z.number().positive().default(1),
    steps: count(2).default(100),
    smoothing: z.number().min(0).lt(1).optional(),
    divergeFactor: z.number().gt(1).optional(),
    skipStart: count(0).optional(),
    skipEnd: count(0).optional(),
  }),
  "batch-size-cross-validation": z.strictObject({
    batchSizes,
    folds: count(2).default(3),
    tokenBudget,
  }),
  "batch-size-sweep": z.strictObject({
    batchSizes,
    tokenBudget,
    /** Square root suits Adam(W), the default optimizer; linear suits SGD. */
    scaling: z.enum(["linear", "sqrt"]).default("sqrt"),
    /** Default: the settings' batch_size and lr. */
    baseBatchSize: count(1).optional(),
    baseLr: z.number().positive().optional(),
    tolerance: z.number().min(0).optional(),
  }),
  "gradient-noise-scale": z.strictObject({
    smallBatch: count(1),
    bigBatch: count(2),
    /** Pairs of measurements, averaged. */
    count: count(1).default(10),
    /** Steps trained at smallBatch before measuring: the noise scale at initialisation means little. */
    trainSteps: count(1).default(50),
  }),
};

export type StrategyKind = keyof typeof strategyOptionsSchemas;

export type StrategyOptions<K extends StrategyKind> = z.output<(typeof strategyOptionsSchemas)[K]>;

/** What a stored strategy run asks for: the trial it trains and the strategy's options. */
export type StrategyRequest = {
  [K in StrategyKind]: {
    kind: K;
    task: TrialTask;
    seed: number;
    /** A trial's flat settings, as a study's fixed settings. */
    trial: TrialSettingsInput;
    /** The project's model to start from, by name or id, as a study's `model`. */
    model?: string;
    options: StrategyOptions<K>;
  };
}[StrategyKind];

/**
 * Checks a run's settings (`{ task?, seed?, trial?, model?, options? }`) for a strategy, and the
 * trial settings within, which leave what a model decides to it; throws a TrialConfigError naming
 * every problem.
 */
export function parseStrategyRequest(kind: StrategyKind, settings: unknown): StrategyRequest {
  const options: z.ZodType = strategyOptionsSchemas[kind];
  const schema = z.strictObject({
    task: studySpecSchema.shape.task.default("language-modelling"),
    seed: count(0)
      .max(2 ** 32 - 1)
      .default(0),
    trial: z.record(z.string(), paramValueSchema).default({}),
    model: studySpecSchema.shape.model,
    options: options.prefault({}),
  });
  const parsed = schema.safeParse(settings);
  const issues = parsed.success ? modelIssues(parsed.data) : parsed.error.issues;
  if (!parsed.success || issues.length > 0) {
    throw new TrialConfigError(
      issues.map((issue) => {
        const path = issue.path.join(".");
        return path === "" ? issue.message : `${path}: ${issue.message}`;
      }),
    );
  }
  parseTrialSettings(parsed.data.trial);
  return { kind, ...parsed.data } as StrategyRequest;
}

/** What the trial settings set that the model decides, and a task it cannot start. */
function modelIssues(request: { task: string; trial: TrialSettingsInput; model?: string }) {
  // The trial settings are the strategy's fixed ones.
  const fromSpec = baseModelSpecIssues({ ...request, fixed: request.trial, searchSpace: {} });
  return fromSpec.map(({ path, message }) => ({
    path: path.map((part) => (part === "fixed" ? "trial" : part)),
    message,
  }));
}
