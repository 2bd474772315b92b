// A LoRA study on a model of its project, trained by a real runner process: every trial starts from
// the model's weights with its tokenizer, saves the adapters alone, and its export merges them.
import { disposeGPT, importHuggingFaceModel } from "@attune/core/model";
import { checkpointModelFolder } from "@attune/core/trial";
import {
  createStudy,
  getCheckpoint,
  getStudy,
  listTrials,
  readModelFiles,
  updateStudyStatus,
} from "@attune/db";
import { useTestDatabase } from "@attune/db/testing";
import { describe, expect, it } from "vitest";
import { seedFoxes, startRunner, trainingBudgetMs, until, useRunnerProcesses } from "./cluster.ts";
import { storeModel } from "./stored-model.ts";

const test = useTestDatabase();
const runners = useRunnerProcesses();

describe("a LoRA study on a model of the project", () => {
  it("trains every trial from the model and exports each merged", async () => {
    const { project } = await seedFoxes(test.db);
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
    runners.push(startRunner(test.url, "finetune-runner"));
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
    const files = await readModelFiles(test.db, model.id);
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
