import { describe, expect, it } from "vitest";
import {
  readGenerationSamples,
  sampleSteps,
  writeGenerationSamples,
} from "../src/queries/samples.ts";
import { createNextTrial } from "../src/queries/trials.ts";
import { seedStudy } from "../src/seed.ts";
import { useTestDatabase } from "../src/testing.ts";

const test = useTestDatabase();

describe("generation samples", () => {
  it("are read per evaluation in position order, and a rewrite replaces rather than adds", async () => {
    const { study } = await seedStudy(test.db);
    const trial = await createNextTrial(test.db, { studyId: study.id, params: {} });
    const sample = (step: number, position: number, generated: string) => ({
      trialId: trial.id,
      step,
      position,
      prompt: `word ${position}`,
      reference: `W ER1 D ${position}`,
      generated,
    });
    await writeGenerationSamples(test.db, [sample(10, 1, "B"), sample(10, 0, "A")]);
    await writeGenerationSamples(test.db, [sample(20, 0, "C")]);
    // A resumed trial evaluates step 20 again.
    await writeGenerationSamples(test.db, [sample(20, 0, "C again")]);

    expect(await sampleSteps(test.db, trial.id)).toEqual([20, 10]);
    const first = await readGenerationSamples(test.db, trial.id, 10);
    expect(first.map((row) => [row.position, row.generated])).toEqual([
      [0, "A"],
      [1, "B"],
    ]);
    const second = await readGenerationSamples(test.db, trial.id, 20);
    expect(second.map((row) => row.generated)).toEqual(["C again"]);
    expect(await readGenerationSamples(test.db, trial.id, 30)).toEqual([]);
  });
});
