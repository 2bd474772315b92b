/**
 * `npm run bench:train`: training speed of the reference configuration (character-level Moby Dick,
 * seqLen 64, dModel 128, 4 heads, 2 layers, MLP 4x, batch 16, Adam) on the chosen backend, and of
 * the straightforward formulation for comparison. The last line is the machine-readable result:
 *
 *   bench:train config=ref backend=<name> tokens_per_s=<n> ms_per_step=<n>
 *
 * BENCH_STEPS sets the number of timed steps (default 30); BENCH_NAIVE_STEPS the naive model's
 * (default 3, 0 to skip it).
 */
import * as tf from "@tensorflow/tfjs";
import { splitForLanguageModelling, type TokenBatch, WindowSampler } from "../src/data/batches.ts";
import { loadCorpus } from "../src/data/corpora.ts";
import { createTokenizer } from "../src/data/tokenizers.ts";
import { parameterCount, trainingFlopsPerToken } from "../src/model/config.ts";
import { createGPT, type GPT } from "../src/model/gpt.ts";
import { referenceLanguageModelLoss } from "../src/model/reference.ts";
import { selectBackend } from "../src/train/backend.ts";
import { Optimizer } from "../src/train/optimizers.ts";
import { Trainer } from "../src/train/trainer.ts";

const bench = {
  warmupSteps: 5,
  timedSteps: Number(process.env.BENCH_STEPS ?? 30),
  naiveSteps: Number(process.env.BENCH_NAIVE_STEPS ?? 3),
  batchSize: 16,
  learningRate: 1e-3,
};

const backend = await selectBackend();
const dataset = await loadCorpus("moby-dick");
const text = dataset.samples.map((sample) => sample.text).join("");
const tokenizer = createTokenizer("char", text);
const split = splitForLanguageModelling(dataset, tokenizer, { validationFraction: 0.1, seed: 0 });
const config = {
  vocabSize: tokenizer.vocabSize,
  seqLen: 64,
  layers: 2,
  dModel: 128,
  heads: 4,
  mlpRatio: 4,
};
const model = createGPT(config, 0);
const tokensPerStep = bench.batchSize * config.seqLen;
console.log(
  `model: ${parameterCount(model.config)} parameters, ${(trainingFlopsPerToken(model.config) / 1e6).toFixed(1)} MFLOP per training token, vocab ${tokenizer.vocabSize}`,
);

const sampler = new WindowSampler(split.train, {
  seqLen: config.seqLen,
  batchSize: bench.batchSize,
  seed: 1,
});
const trainer = new Trainer({
  model,
  optimizer: new Optimizer({ kind: "adam" }, model.parameters),
  train: sampler,
  budget: { steps: bench.warmupSteps + bench.timedSteps },
  learningRate: bench.learningRate,
  seed: 2,
});

const ours = timeSteps(bench.warmupSteps, bench.timedSteps, () => {
  const report = trainer.trainStep();
  if ("diverged" in report) throw new Error(`benchmark training diverged: ${report.diverged}`);
  return report.trainLoss;
});
console.log(
  `ours:  ${ours.medianMs.toFixed(1)} ms/step (median of ${bench.timedSteps}), loss ${ours.firstLoss.toFixed(3)} -> ${ours.lastLoss.toFixed(3)}`,
);

if (bench.naiveSteps > 0) {
  const optimizer = new Optimizer({ kind: "adam" }, model.parameters);
  const naive = timeSteps(1, bench.naiveSteps, () => naiveStep(model, optimizer, sampler.next()));
  console.log(
    `naive: ${naive.medianMs.toFixed(1)} ms/step (median of ${bench.naiveSteps}, same weights, plain tf ops and autodiff): ours is ${(naive.medianMs / ours.medianMs).toFixed(1)}x faster`,
  );
}

const tokensPerSecond = Math.round((tokensPerStep * 1000) / ours.medianMs);
console.log(
  `bench:train config=ref backend=${backend.name} tokens_per_s=${tokensPerSecond} ms_per_step=${ours.medianMs.toFixed(1)}`,
);

/** Runs warm-up steps, then times each of `timed` steps; returns the median and first/last loss. */
function timeSteps(warmup: number, timed: number, step: () => number) {
  const losses: number[] = [];
  for (let i = 0; i < warmup; i++) losses.push(step());
  const durations: number[] = [];
  for (let i = 0; i < timed; i++) {
    const started = performance.now();
    losses.push(step());
    durations.push(performance.now() - started);
  }
  durations.sort((a, b) => a - b);
  return {
    medianMs: durations[Math.floor(durations.length / 2)] as number,
    firstLoss: losses[0] as number,
    lastLoss: losses[losses.length - 1] as number,
  };
}

/** One Adam step of the straightforward formulation: same weights, same optimizer code. */
function naiveStep(model: GPT, optimizer: Optimizer, batch: TokenBatch): number {
  return tf.tidy(() => {
    const parameters = [...model.parameters];
    const { value, grads } = tf.variableGrads(
      () => referenceLanguageModelLoss(model, batch),
      parameters.map(([, variable]) => variable),
    );
    const gradients = new Map(parameters.map(([name, v]) => [name, grads[v.name] as tf.Tensor]));
    optimizer.apply(gradients, bench.learningRate);
    return value.dataSync()[0] as number;
  });
}
