// An instruction study whose objective is chrF, trained to completion by a real runner process:
// the trials learn a prompt -> completion task (reversing short words), every evaluation reports
// the task metrics from generated completions, and a few of those completions are stored beside
// their references for the trial page.
import {
  createDataset,
  createStudy,
  getStudy,
  listTrials,
  readGenerationSamples,
  readMetrics,
  sampleSteps,
  updateStudyStatus,
} from "@attune/db";
import { seedProject } from "@attune/db/seed";
import { useTestDatabase } from "@attune/db/testing";
import { describe, expect, it } from "vitest";
import { startRunner, trainingBudgetMs, until, useRunnerProcesses } from "./cluster.ts";

const test = useTestDatabase();
const runners = useRunnerProcesses();

/** Every three-letter word over "abcd" once: 64 prompt/completion pairs, the completion reversed. */
function reversals(): string {
  const letters = ["a", "b", "c", "d"];
  const words = letters.flatMap((x) => letters.flatMap((y) => letters.map((z) => x + y + z)));
  return words
    .map((word) => JSON.stringify({ prompt: word, completion: [...word].reverse().join("") }))
    .join("\n");
}

describe("an instruction study on a runner", () => {
  it("trains to completion with chrF as its objective, storing generated samples", async () => {
    const { project, owner } = await seedProject(test.db);
    await createDataset(test.db, {
      projectId: project.id,
      name: "reversals",
      source: "upload",
      origin: "reversals.jsonl",
      format: "prompt-completion",
      task: "instruction",
      tokenizer: "char",
      content: reversals(),
      createdBy: owner.id,
    });
    const steps = 120;
    const study = await createStudy(test.db, {
      projectId: project.id,
      name: "reverse",
      seed: 5,
      spec: {
        name: "reverse",
        task: "instruction",
        dataset: "reversals",
        objectives: [{ metric: "chrf", direction: "maximize" }],
        fixed: {
          layers: 1,
          d_model: 32,
          heads: 2,
          seq_len: 32,
          batch_size: 8,
          eval_every: 40,
          eval_examples: 8,
          max_new_tokens: 6,
        },
        searchSpace: { lr: { type: "float", low: 3e-3, high: 1e-2, log: true } },
        sampler: { kind: "random" },
        budget: { trials: 2, parallelTrials: 1, stepsPerTrial: steps },
      },
    });
    await updateStudyStatus(test.db, study.id, "running");
    runners.push(startRunner(test.url, "instruction-runner"));

    await until(
      async () => ((await getStudy(test.db, study.id))?.status === "completed" ? true : undefined),
      trainingBudgetMs,
      "instruction study completed",
    );
    const trials = await listTrials(test.db, study.id);
    expect(trials.map((trial) => [trial.state, trial.error])).toEqual([
      ["completed", null],
      ["completed", null],
    ]);
    for (const trial of trials) {
      const chrf = await readMetrics(test.db, trial.id, "chrf");
      expect(chrf.map((point) => point.step)).toEqual([40, 80, 120]);
      for (const point of chrf) expect(point.value).toBeGreaterThanOrEqual(0);
      // The trial's value is its objective, chrF at its last evaluation.
      expect(trial.values).toEqual([chrf.at(-1)?.value]);
      const exact = await readMetrics(test.db, trial.id, "exact_match");
      expect(exact).toHaveLength(3);

      expect(await sampleSteps(test.db, trial.id)).toEqual([120, 80, 40]);
      const samples = await readGenerationSamples(test.db, trial.id, 120);
      expect(samples.length).toBeGreaterThan(0);
      expect(samples.length).toBeLessThanOrEqual(5);
      for (const sample of samples) {
        // The rendered prompt holds the word, the reference is its reversal.
        const word = [...sample.reference].reverse().join("");
        expect(sample.prompt).toContain(word);
        expect(sample.reference).toMatch(/^[abcd]{3}$/);
      }
      // The same validation examples at every evaluation.
      const first = await readGenerationSamples(test.db, trial.id, 40);
      expect(first.map((sample) => sample.reference)).toEqual(
        samples.map((sample) => sample.reference),
      );
    }
    const best = (await getStudy(test.db, study.id))?.bestTrialId;
    const bestValue = Math.max(...trials.map((trial) => trial.values?.[0] ?? -1));
    expect(trials.find((trial) => trial.id === best)?.values?.[0]).toBe(bestValue);
  });
});
