import { afterEach, describe, expect, it } from "vitest";
import { WindowSampler, type WindowSamplerState } from "../../src/data/batches.ts";
import { createTokenizer } from "../../src/data/tokenizers.ts";
import { createGPT, disposeGPT, type GPT } from "../../src/model/gpt.ts";
import { Random } from "../../src/random.ts";
import { loadCheckpoint, saveCheckpoint } from "../../src/train/checkpoint.ts";
import { Optimizer } from "../../src/train/optimizers.ts";
import { type StepReport, Trainer } from "../../src/train/trainer.ts";
import { useWasmBackend } from "../tf-backend.ts";

useWasmBackend();

const config = {
  vocabSize: 12,
  seqLen: 16,
  layers: 2,
  dModel: 32,
  heads: 4,
  kvHeads: 2,
  dropout: 0.1,
};
const random = new Random(1);
const stream = Int32Array.from({ length: 3000 }, () => random.int(0, 11));

const cleanups: (() => void)[] = [];
afterEach(() => {
  for (const cleanup of cleanups.splice(0)) cleanup();
});

/** A trainer over 8 scheduled steps that stops after `steps` and records its losses. */
function session(
  model: GPT,
  optimizer: Optimizer,
  sampler: WindowSampler,
  losses: number[],
  steps = 8,
) {
  cleanups.push(() => {
    disposeGPT(model);
    optimizer.dispose();
  });
  return new Trainer({
    model,
    optimizer,
    train: sampler,
    budget: { steps },
    learningRate: 3e-3,
    schedule: { kind: "cosine", decaySteps: 8, minLr: 0, warmupSteps: 2 },
    maxGradNorm: 1,
    seed: 3,
    onStep: (report: StepReport) => void losses.push(report.trainLoss),
  });
}

function freshSession(losses: number[], steps = 8) {
  const model = createGPT(config, 1);
  const optimizer = new Optimizer({ kind: "adamw", weightDecay: 0.1 }, model.parameters);
  const sampler = new WindowSampler(stream, { seqLen: 16, batchSize: 4, seed: 2 });
  return { model, optimizer, sampler, trainer: session(model, optimizer, sampler, losses, steps) };
}

describe("checkpoints", () => {
  it("resume with exactly the losses of an uninterrupted run", async () => {
    const straight: number[] = [];
    await freshSession(straight).trainer.run();
    expect(straight).toHaveLength(8);

    const partial: number[] = [];
    const part = freshSession(partial, 3);
    await part.trainer.run();
    const tokenizer = createTokenizer("char", "abcdefghijkl");
    const bytes = await saveCheckpoint({
      model: part.model,
      optimizer: part.optimizer,
      trainer: part.trainer.getState(),
      sampler: part.sampler.getState(),
      tokenizer: tokenizer.toJSON(),
    });
    expect(bytes).toBeInstanceOf(Uint8Array);

    const restored = loadCheckpoint(bytes);
    expect(restored.tokenizer).toEqual(tokenizer.toJSON());
    // PostgreSQL hands bytea back as a Node Buffer, often a view into a larger shared pool.
    const pooled = Buffer.concat([Buffer.from("unrelated bytes"), Buffer.from(bytes)]).subarray(15);
    const fromDatabase = loadCheckpoint(pooled);
    for (const [name, parameter] of restored.model.parameters) {
      expect(fromDatabase.model.parameters.get(name)?.dataSync()).toEqual(parameter.dataSync());
    }
    disposeGPT(fromDatabase.model);
    fromDatabase.optimizer.dispose();
    expect(restored.optimizer.step).toBe(3);
    const sampler = new WindowSampler(stream, { seqLen: 16, batchSize: 4, seed: 999 });
    sampler.setState(restored.sampler as WindowSamplerState);
    const resumed: number[] = [];
    const trainer = session(restored.model, restored.optimizer, sampler, resumed);
    trainer.setState(restored.trainer);
    const result = await trainer.run();

    expect(result).toMatchObject({ reason: "budget", step: 8, tokensSeen: 8 * 64 });
    expect(partial).toEqual(straight.slice(0, 3));
    expect(resumed).toEqual(straight.slice(3));
  });

  it("reject bytes that are not a checkpoint, or a cut one", async () => {
    expect(() => loadCheckpoint(new TextEncoder().encode("hello world, not a checkpoint"))).toThrow(
      'not an Attune checkpoint: it does not start with "ATTUNECK"',
    );
    const { model, optimizer, sampler, trainer } = freshSession([]);
    const bytes = await saveCheckpoint({
      model,
      optimizer,
      trainer: trainer.getState(),
      sampler: sampler.getState(),
    });
    expect(() => loadCheckpoint(bytes.subarray(0, 40))).toThrow(/checkpoint is truncated/);
  });
});
