// A LoRA study on a model of its project, trained by a real runner process: every trial starts from
// the model's weights with its tokenizer, saves the adapters alone, and its export merges them. The
// runner reads the model once for both trials, whose thread shares its weights between them.
import { readStoredDataset, specOf } from "@attune/control";
import type { ModelFiles } from "@attune/core/model";
import { disposeGPT, importHuggingFaceModel } from "@attune/core/model";
import { checkpointModelFolder, runTrial, trialBudget } from "@attune/core/trial";
import {
  createStudy,
  type DatasetMeta,
  getCheckpoint,
  getStudy,
  listTrials,
  readMetrics,
  readModelFiles,
  type Study,
  type Trial,
  updateStudyStatus,
} from "@attune/db";
import { useTestDatabase } from "@attune/db/testing";
import { describe, expect, it } from "vitest";
import { seedFoxes, startRunner, trainingBudgetMs, until, useRunnerProcesses } from "./cluster.ts";
import { storeModel } from "./stored-model.ts";

const test = useTestDatabase();
const runners = useRunnerProcesses();

describe("a LoRA study on a model of the project", () => {
  it("trains every trial from the model, read once and shared, and exports each merged", async () => {
    const { project, dataset } = await seedFoxes(test.db);
    const model = await storeModel(test.db, project.id);
    const study = await createStudy(test.db, {
      projectId: project.id,
      name: "lora",
      seed: 3,
      spec: {
        name: "lora",
        task: "language-modelling",
        dataset: "foxes",
        model: "tiny-gpt2",
        objectives: [{ metric: "val_loss", direction: "minimize" }],
        fixed: { seq_len: 16, batch_size: 4, eval_every: 10, finetune: "lora" },
        searchSpace: { lora_r: { type: "categorical", choices: [2, 4] } },
        sampler: { kind: "grid" },
        budget: { trials: 2, parallelTrials: 1, stepsPerTrial: 20 },
      },
    });
    await updateStudyStatus(test.db, study.id, "running");
    const output: string[] = [];
    runners.push(
      startRunner(test.url, "finetune-runner", [], { ATTUNE_LOG_LEVEL: "info" }, output),
    );
    await until(
      async () => ((await getStudy(test.db, study.id))?.status === "completed" ? true : undefined),
      trainingBudgetMs,
      "LoRA study completed",
    );
    const trials = await listTrials(test.db, study.id);
    expect(trials.map((trial) => [trial.state, trial.error])).toEqual([
      ["completed", null],
      ["completed", null],
    ]);
    // One read from the database for both trials (the runner's model-files.ts logs each).
    const reads = logEvents(output, "model.read");
    expect(reads).toEqual([
      expect.objectContaining({ modelId: model.id, contentHash: model.contentHash }),
    ]);
    const files = await readModelFiles(test.db, model.id);
    // The second trial started from the weights the first one's thread kept (trial-worker.ts logs
    // which), and each trained as on a base of its own.
    expect(logEvents(output, "trial.base_model").map((line) => line.kept)).toEqual([false, true]);
    const done = (await getStudy(test.db, study.id)) as Study;
    for (const trial of trials) {
      const losses = (await readMetrics(test.db, trial.id, "train_loss")).map((m) => m.value);
      expect(losses).toHaveLength(20);
      expect(losses).toEqual(await lossesOnOwnBase(done, trial, dataset, files));
    }
    const baseBytes = files.get("model.safetensors")?.length ?? 0;
    for (const trial of trials) {
      const last = await getCheckpoint(test.db, trial.id, "last");
      // The adapters and their optimizer state, far smaller than the model's weights.
      expect(last?.sizeBytes).toBeLessThan(baseBytes / 2);
      const exported = importHuggingFaceModel(
        await checkpointModelFolder(new Uint8Array(last?.data ?? []), async () => files),
      );
      expect(exported.config).toMatchObject({ vocabSize: 257, seqLen: 32, dModel: 16 });
      disposeGPT(exported);
    }
  });
});

/** The runner's JSON log lines of one event. */
function logEvents(output: string[], event: string): Record<string, unknown>[] {
  return output
    .join("")
    .split("\n")
    .filter((line) => line.startsWith("{"))
    .map((line) => JSON.parse(line) as Record<string, unknown>)
    .filter((line) => line.event === event);
}

/** The trial's training losses when it builds its base alone, in this process (as trial-job.ts sets it up). */
async function lossesOnOwnBase(
  study: Study,
  trial: Trial,
  dataset: DatasetMeta,
  files: ModelFiles,
) {
  const spec = specOf(study);
  const losses: number[] = [];
  await runTrial({
    task: spec.task,
    dataset: await readStoredDataset(test.db, dataset),
    settings: { ...spec.fixed, ...trial.params },
    budget: trialBudget(spec.budget),
    seed: (study.seed + trial.number) >>> 0,
    baseModel: files,
    onStep: (report) => {
      losses.push(report.trainLoss);
    },
  });
  return losses;
}
