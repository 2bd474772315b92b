// What the W&B importer's tests share: their fixtures (real and modelled sweep configs) and the
// check that an import completes to a valid spec.
import { readFileSync } from "node:fs";
import { expect } from "vitest";
import { settingErrors } from "../../src/trial/setting-errors.ts";
import { validateStudySpec } from "../../src/tuning/spec.ts";
import { importWandbSweep, type WandbImport } from "../../src/tuning/wandb.ts";

export function importFixture(name: string): WandbImport {
  const text = readFileSync(new URL(`./fixtures/wandb/${name}`, import.meta.url), "utf8");
  return importWandbSweep(text);
}

/**
 * An imported sweep plus what only the user knows makes a study spec that validates, whose every
 * fixed setting and parameter the trainer takes.
 */
export function expectCompletes({ spec }: WandbImport, study: object = { task: "classification" }) {
  const result = validateStudySpec({
    name: "imported",
    dataset: "spam",
    ...study,
    ...spec,
    budget: { trials: 20, ...spec.budget, stepsPerTrial: 1000 },
  });
  expect(result.ok ? [] : result.errors).toEqual([]);
  expect(settingErrors(spec)).toEqual([]);
}

export const BUDGET =
  "a trial's length is the study's budget (budget.stepsPerTrial or tokensPerTrial)";
export const NO_SETTING =
  "it names no training setting (nor a Hugging Face, PEFT or nanoGPT name of one)";
