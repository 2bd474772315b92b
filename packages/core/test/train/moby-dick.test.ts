/**
 * Acceptance: a 2-layer character-level model learns Moby Dick well beyond letter frequencies.
 * Its validation loss must fall below 80% of the unigram entropy of the validation text (the loss
 * of the best model that ignores context) within 200 steps: about 90 s on plain wasm on a quiet
 * 2-core machine, several times that on a busy one, which the test's own limit allows for.
 */
import { expect, it } from "vitest";
import {
  evaluationBatches,
  splitForLanguageModelling,
  WindowSampler,
} from "../../src/data/batches.ts";
import { loadCorpus } from "../../src/data/corpora.ts";
import { unigramEntropy } from "../../src/data/statistics.ts";
import { createTokenizer } from "../../src/data/tokenizers.ts";
import { createGPT, disposeGPT } from "../../src/model/gpt.ts";
import { Optimizer } from "../../src/train/optimizers.ts";
import { type EvalReport, Trainer } from "../../src/train/trainer.ts";
import { useWasmBackend } from "../tf-backend.ts";

useWasmBackend();

it("learns Moby Dick to below 80% of the validation text's unigram entropy", {
  timeout: 15 * 60_000,
}, async () => {
  const dataset = await loadCorpus("moby-dick");
  const tokenizer = createTokenizer("char", dataset.samples.map((s) => s.text).join(""));
  const split = splitForLanguageModelling(dataset, tokenizer, { validationFraction: 0.1, seed: 0 });
  const entropy = unigramEntropy(split.validation);

  // Short windows and more of them learned faster per second than seqLen 64 with batch 16.
  const seqLen = 32;
  const steps = 200;
  const model = createGPT(
    { vocabSize: tokenizer.vocabSize, seqLen, layers: 2, dModel: 128, heads: 4 },
    0,
  );
  const optimizer = new Optimizer({ kind: "adam" }, model.parameters);
  const evals: EvalReport[] = [];
  const trainer = new Trainer({
    model,
    optimizer,
    train: new WindowSampler(split.train, { seqLen, batchSize: 32, seed: 1 }),
    // 512 windows spread evenly over the whole validation text.
    validation: () =>
      evaluationBatches(split.validation, { seqLen, batchSize: 128, maxWindows: 512 }),
    budget: { steps },
    learningRate: 3e-3,
    schedule: { kind: "cosine", decaySteps: steps, minLr: 3e-4, warmupSteps: 10 },
    maxGradNorm: 1,
    evalEvery: 100,
    seed: 2,
    onEval: (report) => void evals.push(report),
  });
  const started = performance.now();
  const result = await trainer.run();
  const seconds = (performance.now() - started) / 1000;
  disposeGPT(model);
  optimizer.dispose();

  const final = evals.at(-1) as EvalReport;
  console.log(
    `moby-dick: validation loss ${final.validationLoss.toFixed(3)} nats = ${(final.validationLoss / entropy).toFixed(3)} × unigram entropy ${entropy.toFixed(3)}, ${steps} steps in ${seconds.toFixed(1)} s`,
  );
  expect(result.reason).toBe("budget");
  expect(entropy).toBeGreaterThan(2.5);
  expect(final.validationLoss).toBeLessThan(0.8 * entropy);
});
