// An example study from examples/, stored as the API stores it, trained to completion by a real
// runner process on the built-in corpus the example names.
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { parseStudySpec } from "@attune/core/spec";
import { createStudy, getStudy, listTrials, updateStudyStatus } from "@attune/db";
import { seedProject } from "@attune/db/seed";
import { useTestDatabase } from "@attune/db/testing";
import { describe, expect, it } from "vitest";
import {
  addMobyDick,
  startRunner,
  trainingBudgetMs,
  until,
  useRunnerProcesses,
} from "./cluster.ts";

const test = useTestDatabase();
const runners = useRunnerProcesses();

const file = "examples/random-search.yaml";

describe(file, () => {
  it("trains to completion on one runner, with a best trial", async () => {
    const parsed = parseStudySpec(
      readFileSync(join(import.meta.dirname, "../../..", file), "utf8"),
    );
    if (!parsed.ok) throw new Error(`${file} is invalid: ${JSON.stringify(parsed.errors)}`);
    const { project, owner } = await seedProject(test.db);
    await addMobyDick(test.db, project.id, owner.id);
    const seed = 5;
    const study = await createStudy(test.db, {
      projectId: project.id,
      name: parsed.spec.name,
      spec: { ...parsed.spec, seed },
      seed,
      createdBy: owner.id,
    });
    await updateStudyStatus(test.db, study.id, "running");
    runners.push(startRunner(test.url, "examples"));

    const done = await until(
      async () => {
        const current = await getStudy(test.db, study.id);
        if (current?.status === "failed") {
          const errors = (await listTrials(test.db, study.id)).map((trial) => trial.error);
          throw new Error(`the study failed; its trials' errors: ${JSON.stringify(errors)}`);
        }
        return current?.status === "completed" ? current : undefined;
      },
      trainingBudgetMs,
      `the study of ${file} completed (${parsed.spec.budget.trials} trials of ${parsed.spec.budget.stepsPerTrial} steps on one runner)`,
    );
    const trials = await listTrials(test.db, study.id);
    expect(trials.map((trial) => [trial.state, trial.error])).toEqual(
      trials.map(() => ["completed", null]),
    );
    expect(trials).toHaveLength(parsed.spec.budget.trials);
    const values = trials.map((trial) => trial.values?.[0] ?? Number.NaN);
    const best = trials.find((trial) => trial.id === done.bestTrialId);
    expect(best?.values?.[0]).toBe(Math.min(...values));
    // A character model that learned something: below ln(89), the loss of a uniform guess.
    expect(best?.values?.[0]).toBeLessThan(Math.log(89));
  });
});
