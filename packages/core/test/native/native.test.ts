/**
 * The native kernels (@attune/native) in training: the same steps give the same losses as the plain
 * wasm path, and ATTUNE_NATIVE=0 switches them off. Each path gets its own copy of the modules
 * (the backend is chosen once per process, per copy), sharing the one wasm backend.
 */
import * as tf from "@tensorflow/tfjs";
import { afterAll, describe, expect, it, vi } from "vitest";
import type { InstructionBatch } from "../../src/data/instruction-batches.ts";
import type { GPTConfigInput } from "../../src/model/config.ts";
import { Random } from "../../src/random.ts";
import type { OptimizerConfigInput } from "../../src/train/optimizer-config.ts";

const originalEnvironment = { ...process.env };
afterAll(() => {
  process.env = originalEnvironment;
});

/** A fresh copy of the training modules, with the native kernels allowed or switched off. */
async function loadCore(nativeSwitch: "auto" | "off") {
  vi.resetModules();
  delete process.env.ATTUNE_TF_BACKEND;
  if (nativeSwitch === "off") process.env.ATTUNE_NATIVE = "0";
  else delete process.env.ATTUNE_NATIVE;
  const backend = await import("../../src/train/backend.ts");
  const choice = await backend.selectBackend();
  return {
    choice,
    native: await import("@attune/native"),
    gpt: await import("../../src/model/gpt.ts"),
    optimizers: await import("../../src/train/optimizers.ts"),
    trainer: await import("../../src/train/trainer.ts"),
    batches: await import("../../src/data/batches.ts"),
  };
}

type Core = Awaited<ReturnType<typeof loadCore>>;

const withNative = await loadCore("auto");
const status = withNative.native.enableNativeKernels();
// Skip only where the addon or OpenBLAS is not installed, and never where CI requires them.
if (!status.enabled && (!status.missing || process.env.ATTUNE_REQUIRE_NATIVE === "1")) {
  throw new Error(`the native kernels cannot be used: ${status.reason}`);
}
const withoutNative = await loadCore("off");

/** A token stream with structure to learn: each token mostly follows from the one before. */
function tokenStream(length: number, vocab: number, seed: number): Int32Array {
  const random = new Random(seed);
  const tokens = new Int32Array(length);
  for (let i = 1; i < length; i++) {
    tokens[i] =
      random.next() < 0.8 ? ((tokens[i - 1] as number) * 5 + 1) % vocab : random.int(0, vocab - 1);
  }
  return tokens;
}

/** The training losses of `steps` steps from the same seeds. */
function trainLosses(
  core: Core,
  config: GPTConfigInput,
  optimizerConfig: OptimizerConfigInput,
  maxGradNorm?: number,
): number[] {
  const model = core.gpt.createGPT(config, 1);
  const optimizer = new core.optimizers.Optimizer(optimizerConfig, model.parameters);
  const trainer = new core.trainer.Trainer({
    model,
    optimizer,
    train: new core.batches.WindowSampler(tokenStream(5000, config.vocabSize, 3), {
      seqLen: config.seqLen,
      batchSize: 8,
      seed: 4,
    }),
    budget: { steps: 20 },
    learningRate: 3e-3,
    ...(maxGradNorm === undefined ? {} : { maxGradNorm }),
    seed: 5,
  });
  const losses = Array.from({ length: 20 }, () => {
    const report = trainer.trainStep();
    if ("diverged" in report) throw new Error(report.diverged);
    return report.trainLoss;
  });
  core.gpt.disposeGPT(model);
  optimizer.dispose();
  return losses;
}

/**
 * Loss and every parameter's gradient for one batch (language model, or classifier when the config
 * has numClasses, or the masked loss of an instruction batch when one is given), from the same
 * weights.
 */
function lossAndGradients(
  core: Core,
  config: GPTConfigInput,
  instructionBatch?: InstructionBatch,
): Float32Array[] {
  const model = core.gpt.createGPT(config, 7);
  const random = new Random(8);
  const count = 3 * config.seqLen;
  const inputs = Int32Array.from({ length: count }, () => random.int(0, config.vocabSize - 1));
  const targets = Int32Array.from({ length: count }, () => random.int(0, config.vocabSize - 1));
  const loss = () => {
    if (instructionBatch !== undefined) {
      return core.gpt.maskedLanguageModelLoss(model, instructionBatch);
    }
    return config.numClasses === undefined
      ? core.gpt.languageModelLoss(model, { inputs, targets, batchSize: 3 })
      : core.gpt.classificationLoss(model, {
          inputs,
          mask: new Float32Array(count).fill(1),
          lengths: new Int32Array(3).fill(config.seqLen),
          labels: Int32Array.from([0, 1, 1]),
          batchSize: 3,
        }).loss;
  };
  const { value, grads } = tf.variableGrads(loss, [...model.parameters.values()]);
  const results = [value, ...[...model.parameters.values()].map((v) => grads[v.name] as tf.Tensor)];
  const arrays = results.map((tensor) => tensor.dataSync() as Float32Array);
  tf.dispose(results);
  core.gpt.disposeGPT(model);
  return arrays;
}

/**
 * The native path's loss and gradients are the plain path's. Differences are measured against the
 * largest gradient: some are zero but for rounding (a key bias shifts a whole row of scores, which
 * softmax ignores).
 */
function expectPlainPathResults(config: GPTConfigInput, instructionBatch?: InstructionBatch) {
  const [nativeLoss, ...native] = lossAndGradients(withNative, config, instructionBatch);
  const [plainLoss, ...plain] = lossAndGradients(withoutNative, config, instructionBatch);
  expect(Math.abs((nativeLoss?.[0] as number) - (plainLoss?.[0] as number))).toBeLessThan(1e-5);
  const largest = Math.max(...plain.map((gradient) => Math.max(...gradient.map(Math.abs))));
  native.forEach((gradient, i) => {
    const expected = plain[i] as Float32Array;
    const difference = Math.max(...gradient.map((g, j) => Math.abs(g - (expected[j] as number))));
    expect(difference / largest, `gradient ${i}`).toBeLessThan(1e-4);
  });
}

/** A describe title that says why its tests are skipped, when they are. */
const titled = (title: string) => (status.enabled ? title : `${title} (skipped: ${status.reason})`);

describe.skipIf(!status.enabled)(titled("training with the native kernels"), () => {
  it("is chosen over plain wasm when it loads", () => {
    expect(withNative.choice.name).toBe("native");
    expect(withNative.native.nativeOps()).toBeDefined();
  });

  const cases: [string, GPTConfigInput, OptimizerConfigInput, number | undefined][] = [
    [
      "the reference architecture with Adam",
      { vocabSize: 29, seqLen: 32, layers: 2, dModel: 48, heads: 4 },
      { kind: "adam" },
      undefined,
    ],
    [
      "post-norm, rotary, grouped-query, untied, AdamW and clipping",
      {
        vocabSize: 29,
        seqLen: 24,
        layers: 2,
        dModel: 40,
        heads: 4,
        kvHeads: 2,
        norm: "post",
        positions: "rotary",
        tieEmbeddings: false,
      },
      { kind: "adamw", weightDecay: 0.1 },
      0.5,
    ],
  ];
  it.each(cases)("twenty steps give the plain path's losses: %s", (_, config, optimizer, clip) => {
    const native = trainLosses(withNative, config, optimizer, clip);
    const plain = trainLosses(withoutNative, config, optimizer, clip);
    expect(native[19]).toBeLessThan(native[0] as number);
    native.forEach((loss, step) => {
      expect(Math.abs(loss - (plain[step] as number)), `step ${step + 1}`).toBeLessThan(1e-3);
    });
  });
});

describe.skipIf(!status.enabled)(titled("every architecture with the native kernels"), () => {
  const base = { vocabSize: 23, seqLen: 9, layers: 2, dModel: 24, heads: 4 };
  const variants: [string, Partial<GPTConfigInput>][] = [
    ["pre-norm, learned, GELU, grouped-query, untied", { kvHeads: 2, tieEmbeddings: false }],
    [
      "post-norm, rotary, ReLU, multi-query",
      { kvHeads: 1, norm: "post", positions: "rotary", activation: "relu" },
    ],
    ["pre-norm, sinusoidal", { positions: "sinusoidal" }],
    ["classifier", { numClasses: 2 }],
    [
      "Llama: RMSNorm, rotary, SwiGLU, grouped-query, no biases",
      {
        kvHeads: 2,
        normalization: "rmsnorm",
        positions: "rotary",
        activation: "swiglu",
        mlpHidden: 40,
        bias: false,
        tieEmbeddings: false,
      },
    ],
  ];
  it.each(variants)("gives the plain path's loss and gradients: %s", (_, variant) => {
    expectPlainPathResults({ ...base, ...variant });
  });

  // The masked loss keeps the native gather and cross-entropy; packed rows take plain attention.
  it.each([
    ["padded", false],
    ["packed", true],
  ])("gives the plain path's masked loss and gradients: %s instruction rows", (_, packed) => {
    const config = { ...base, seqLen: 12, kvHeads: 2 };
    const random = new Random(3);
    const count = 3 * config.seqLen;
    const tokens = () => Int32Array.from({ length: count }, () => random.int(0, 22));
    // Each row: an example of 5 positions, one of 6, a padding position; trained after the 4th.
    const segments = Int32Array.from({ length: count }, (_, i) =>
      i % 12 < 5 ? 0 : i % 12 < 11 ? 1 : -1,
    );
    expectPlainPathResults(config, {
      inputs: tokens(),
      targets: tokens(),
      lossMask: Float32Array.from({ length: count }, (_, i) => (i % 12 >= 4 ? 1 : 0)),
      ...(packed ? { segments } : {}),
      batchSize: 3,
    });
  });
});

describe("ATTUNE_NATIVE=0", () => {
  it("falls back to plain wasm, saying why in one line", async () => {
    const write = vi.spyOn(process.stderr, "write");
    const core = await loadCore("off");
    expect(core.choice.name).toBe("wasm");
    expect(core.choice.reason).toContain("native: disabled by ATTUNE_NATIVE=0");
    expect(core.native.nativeOps()).toBeUndefined();
    const warnings = write.mock.calls.filter(([line]) =>
      String(line).includes('"native_kernels_unavailable"'),
    );
    expect(warnings).toHaveLength(1);
    expect(String(warnings[0]?.[0])).toContain("disabled by ATTUNE_NATIVE=0");
    write.mockRestore();
  });
});
