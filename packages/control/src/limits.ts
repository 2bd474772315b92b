import { type StudyLimits, studyLimitsFromEnv } from "@attune/core/spec";

let configured: StudyLimits | undefined;

/**
 * The deployment's study limits, read from the environment once: the web app checks specs with
 * them and the runners' study control checks each trial, so both must be given the same variables
 * (docs/deployment.md lists them).
 */
export function configuredStudyLimits(): StudyLimits {
  configured ??= studyLimitsFromEnv(process.env);
  return configured;
}
