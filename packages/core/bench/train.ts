/**
 * `npm run bench:train`: training speed of the reference configuration (character-level Moby Dick,
 * seqLen 64, dModel 128, 4 heads, 2 layers, MLP 4x, batch 16, Adam) on the chosen backend, and of
 * the straightforward formulation for comparison. The last line is the machine-readable result:
 *
 *   bench:train config=ref backend=<name> tokens_per_s=<n> ms_per_step=<n>
 *
 * Flags (after `--`):
 *   --large       the larger configuration: dModel 256, 4 layers, seqLen 128 (config=large)
 *   --vs-pytorch  also trains PyTorch's implementation of the identical model and step
 *                 (bench/train_pytorch.py, Debian's python3-torch, installed with apt when
 *                 missing), alternating rounds of steps between the two, one thread each, with
 *                 OpenBLAS's core type chosen the same way for both. The last line is then
 *
 *   bench:train config=<ref|large> backend=<name> tokens_per_s=<n> pytorch_tokens_per_s=<n> ratio=<r>
 *
 * BENCH_STEPS sets the number of timed steps (default 30; per round with --vs-pytorch, of
 * BENCH_ROUNDS rounds, default 3); BENCH_NAIVE_STEPS the naive model's (default 3, 0 to skip it;
 * it is skipped with --vs-pytorch).
 */
import { spawn, spawnSync } from "node:child_process";
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { createInterface } from "node:readline";
import { fileURLToPath } from "node:url";
import { parseArgs } from "node:util";
import { chooseOpenBlasCoreType } from "@attune/native";
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

const flags = parseArgs({
  options: {
    large: { type: "boolean", default: false },
    "vs-pytorch": { type: "boolean", default: false },
  },
}).values;
const versusPyTorch = flags["vs-pytorch"] === true;
const configName = flags.large ? "large" : "ref";
const shapes = {
  ref: { seqLen: 64, layers: 2, dModel: 128 },
  large: { seqLen: 128, layers: 4, dModel: 256 },
};

const bench = {
  warmupSteps: 5,
  timedSteps: Number(process.env.BENCH_STEPS ?? 30),
  rounds: Number(process.env.BENCH_ROUNDS ?? 3),
  naiveSteps: versusPyTorch ? 0 : Number(process.env.BENCH_NAIVE_STEPS ?? 3),
  batchSize: 16,
  learningRate: 1e-3,
};

/** Debian's Python, which python3-torch installs into (not a virtual environment's). */
const python = "/usr/bin/python3";

// Before anything loads OpenBLAS, so that this process and PyTorch's use the same core type.
const coreTypeWasSet = Boolean(process.env.OPENBLAS_CORETYPE);
const coreType = chooseOpenBlasCoreType();
const backend = await selectBackend();
const dataset = await loadCorpus("moby-dick");
const text = dataset.samples.map((sample) => sample.text).join("");
const tokenizer = createTokenizer("char", text);
const split = splitForLanguageModelling(dataset, tokenizer, { validationFraction: 0.1, seed: 0 });
const config = { vocabSize: tokenizer.vocabSize, heads: 4, mlpRatio: 4, ...shapes[configName] };
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
  // Steps are taken one by one below; the budget never stops them.
  budget: { steps: Number.MAX_SAFE_INTEGER },
  learningRate: bench.learningRate,
  seed: 2,
});
const ourStep = () => {
  const report = trainer.trainStep();
  if ("diverged" in report) throw new Error(`benchmark training diverged: ${report.diverged}`);
  return report.trainLoss;
};
const tokensPerSecond = (msPerStep: number) => Math.round((tokensPerStep * 1000) / msPerStep);

if (versusPyTorch) await compareWithPyTorch();
else measureOurs();

function measureOurs() {
  const ours = timeSteps(bench.warmupSteps, bench.timedSteps, ourStep);
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
  console.log(
    `bench:train config=${configName} backend=${backend.name} tokens_per_s=${tokensPerSecond(ours.medianMs)} ms_per_step=${ours.medianMs.toFixed(1)}`,
  );
}

async function compareWithPyTorch() {
  const source = coreTypeWasSet ? "OPENBLAS_CORETYPE was set" : "chosen for this CPU";
  console.log(
    `OpenBLAS core type for both: ${coreType === undefined ? "OpenBLAS's own detection" : `${coreType} (${source})`}; one thread each`,
  );
  const pytorch = startPyTorch();
  try {
    const ours: number[] = [];
    const theirs: number[] = [];
    for (let i = 0; i < bench.warmupSteps; i++) ourStep();
    await pytorch.run(bench.warmupSteps);
    for (let round = 1; round <= bench.rounds; round++) {
      const oursRound = timeSteps(0, bench.timedSteps, ourStep);
      const theirsRound = await pytorch.run(bench.timedSteps);
      ours.push(...oursRound.durations);
      theirs.push(...theirsRound.ms);
      console.log(
        `round ${round}: ours ${oursRound.medianMs.toFixed(1)} ms/step (loss ${oursRound.lastLoss.toFixed(3)}), PyTorch ${median(theirsRound.ms).toFixed(1)} ms/step (loss ${(theirsRound.losses.at(-1) ?? Number.NaN).toFixed(3)})`,
      );
    }
    const oursTokens = tokensPerSecond(median(ours));
    const theirsTokens = tokensPerSecond(median(theirs));
    console.log(
      `bench:train config=${configName} backend=${backend.name} tokens_per_s=${oursTokens} pytorch_tokens_per_s=${theirsTokens} ratio=${(oursTokens / theirsTokens).toFixed(2)}`,
    );
  } finally {
    pytorch.stop();
  }
}

/**
 * Starts bench/train_pytorch.py on the same training tokens, with one thread; `run(n)` trains n
 * steps there and returns their durations and losses.
 */
function startPyTorch() {
  ensurePyTorch();
  const folder = mkdtempSync(join(tmpdir(), "attune-bench-"));
  const tokensFile = join(folder, "tokens.bin");
  writeFileSync(tokensFile, split.train);
  const script = fileURLToPath(new URL("train_pytorch.py", import.meta.url));
  const settings = {
    ...config,
    batchSize: bench.batchSize,
    learningRate: bench.learningRate,
    seed: 0,
  };
  const child = spawn(python, [script, JSON.stringify(settings), tokensFile], {
    stdio: ["pipe", "pipe", "inherit"],
    env: { ...process.env, OMP_NUM_THREADS: "1", OPENBLAS_NUM_THREADS: "1", MKL_NUM_THREADS: "1" },
  });
  const exited = new Promise<never>((_, reject) =>
    child.on("exit", (code) => reject(new Error(`the PyTorch benchmark exited with ${code}`))),
  );
  const lines = createInterface({ input: child.stdout })[Symbol.asyncIterator]();
  return {
    async run(steps: number): Promise<{ ms: number[]; losses: number[] }> {
      child.stdin.write(`run ${steps}\n`);
      const line = await Promise.race([lines.next(), exited]);
      if (line.done) throw new Error("the PyTorch benchmark closed its output");
      return JSON.parse(line.value) as { ms: number[]; losses: number[] };
    },
    stop() {
      child.removeAllListeners("exit");
      child.stdin.end();
      rmSync(folder, { recursive: true, force: true });
    },
  };
}

/** Installs Debian's python3-torch when `import torch` fails, saying so. */
function ensurePyTorch() {
  const check = () => spawnSync(python, ["-c", "import torch"], { stdio: "ignore" }).status === 0;
  if (check()) return;
  console.log(
    "PyTorch is not installed: installing Debian's python3-torch with apt-get (about a minute)",
  );
  const env = { ...process.env, DEBIAN_FRONTEND: "noninteractive" };
  for (const args of [
    ["update", "-qq"],
    ["install", "-y", "-qq", "python3-torch"],
  ]) {
    spawnSync("apt-get", args, { stdio: "inherit", env });
  }
  if (!check()) {
    throw new Error(
      "PyTorch is still missing: install it with `apt-get install python3-torch` (as root)",
    );
  }
}

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
  return {
    durations,
    medianMs: median(durations),
    firstLoss: losses[0] as number,
    lastLoss: losses[losses.length - 1] as number,
  };
}

function median(values: number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.floor(sorted.length / 2)] as number;
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
