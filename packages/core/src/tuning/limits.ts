/**
 * What one study may ask of the shared runners: its budget, its grid and each trial's model. A
 * deployment sets each limit with an environment variable (named here, read by the web app and the
 * runners through `studyLimitsFromEnv`); core only receives the values, so it never reads the
 * environment itself. Specs are checked against the limits in spec-limits.ts.
 */
import { z } from "zod";

const positiveInt = z.coerce.number().int().positive();

export const studyLimitsSchema = z.strictObject({
  trials: positiveInt.default(10_000).describe("budget.trials, appended trials included"),
  // As many as the largest runner trains at once (its --concurrency is at most 256).
  parallelTrials: positiveInt.default(256).describe("budget.parallelTrials"),
  stepsPerTrial: positiveInt.default(1_000_000).describe("budget.stepsPerTrial"),
  tokensPerTrial: positiveInt.default(10_000_000_000).describe("budget.tokensPerTrial"),
  gridPoints: positiveInt.default(100_000).describe("configurations of a grid sampler's grid"),
  // GPT-2 small (124M) fits; a model far beyond what CPU runners can train does not.
  modelParameters: positiveInt
    .default(200_000_000)
    .describe("trainable weights of a trial's model"),
  trialMemoryGiB: z.coerce
    .number()
    .positive()
    .default(8)
    .describe("estimated memory of one trial: weights, gradients, Adam's moments, activations"),
});

export type StudyLimits = z.output<typeof studyLimitsSchema>;

export const defaultStudyLimits: StudyLimits = studyLimitsSchema.parse({});

/** The environment variable that sets each limit. */
export const studyLimitVariables = {
  trials: "ATTUNE_MAX_TRIALS",
  parallelTrials: "ATTUNE_MAX_PARALLEL_TRIALS",
  stepsPerTrial: "ATTUNE_MAX_STEPS_PER_TRIAL",
  tokensPerTrial: "ATTUNE_MAX_TOKENS_PER_TRIAL",
  gridPoints: "ATTUNE_MAX_GRID_POINTS",
  modelParameters: "ATTUNE_MAX_MODEL_PARAMETERS",
  trialMemoryGiB: "ATTUNE_MAX_TRIAL_MEMORY_GIB",
} as const satisfies Record<keyof StudyLimits, string>;

/** The limits an environment sets, defaults for the rest; throws naming each bad variable. */
export function studyLimitsFromEnv(env: Readonly<Record<string, string | undefined>>): StudyLimits {
  const names = Object.entries(studyLimitVariables) as [keyof StudyLimits, string][];
  const parsed = studyLimitsSchema.safeParse(
    Object.fromEntries(names.map(([limit, variable]) => [limit, env[variable] || undefined])),
  );
  if (parsed.success) return parsed.data;
  const problems = parsed.error.issues.map((issue) => {
    const variable = studyLimitVariables[issue.path[0] as keyof StudyLimits];
    return `${variable}=${JSON.stringify(env[variable])}: ${issue.message}`;
  });
  throw new Error(`invalid study limits: ${problems.join("; ")}`);
}

/** "the limit of 10,000 (ATTUNE_MAX_TRIALS)": what a refusal quotes. */
export function describeLimit(limits: StudyLimits, limit: keyof StudyLimits, unit = ""): string {
  return `the limit of ${limits[limit].toLocaleString("en-US")}${unit} (${studyLimitVariables[limit]})`;
}

/** "at most 10,000 (ATTUNE_MAX_TRIALS sets another limit)": for the spec reference. */
export function limitNote(limit: keyof StudyLimits): string {
  return `at most ${defaultStudyLimits[limit].toLocaleString("en-US")} (${studyLimitVariables[limit]} sets another limit)`;
}
