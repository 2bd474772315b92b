/**
 * The masked loss and packed rows with the native kernels (@attune/native): the masked loss keeps
 * their fast paths (gather and cross-entropy), packed rows take plain attention, and either way
 * the loss and gradients are the plain wasm path's. Each path gets its own copy of the modules, as
 * in test/native/native.test.ts.
 */
import * as tf from "@tensorflow/tfjs";
import { afterAll, describe, expect, it, vi } from "vitest";
import type { InstructionBatch } from "../../src/data/instruction-batches.ts";
import { Random } from "../../src/random.ts";

const originalEnvironment = { ...process.env };
afterAll(() => {
  process.env = originalEnvironment;
});

async function loadCore(nativeSwitch: "auto" | "off") {
  vi.resetModules();
  delete process.env.ATTUNE_TF_BACKEND;
  if (nativeSwitch === "off") process.env.ATTUNE_NATIVE = "0";
  else delete process.env.ATTUNE_NATIVE;
  const backend = await import("../../src/train/backend.ts");
  return {
    choice: await backend.selectBackend(),
    native: await import("@attune/native"),
    gpt: await import("../../src/model/gpt.ts"),
  };
}

type Core = Awaited<ReturnType<typeof loadCore>>;

const withNative = await loadCore("auto");
const status = withNative.native.enableNativeKernels();
if (!status.enabled && (!status.missing || process.env.ATTUNE_REQUIRE_NATIVE === "1")) {
  throw new Error(`the native kernels cannot be used: ${status.reason}`);
}
const withoutNative = await loadCore("off");

const config = { vocabSize: 23, seqLen: 12, layers: 2, dModel: 24, heads: 4, kvHeads: 2 };

function batch(packed: boolean): InstructionBatch {
  const random = new Random(3);
  const count = 3 * config.seqLen;
  const tokens = () => Int32Array.from({ length: count }, () => random.int(0, 22));
  const lossMask = Float32Array.from({ length: count }, (_, i) => (i % 12 >= 4 ? 1 : 0));
  // Each row: an example of 5 positions, one of 6, a padding position.
  const segments = Int32Array.from({ length: count }, (_, i) =>
    i % 12 < 5 ? 0 : i % 12 < 11 ? 1 : -1,
  );
  return {
    inputs: tokens(),
    targets: tokens(),
    lossMask,
    ...(packed ? { segments } : {}),
    batchSize: 3,
  };
}

function lossAndGradients(core: Core, packed: boolean): Float32Array[] {
  const model = core.gpt.createGPT(config, 7);
  const variables = [...model.parameters.values()];
  const { value, grads } = tf.variableGrads(
    () => core.gpt.maskedLanguageModelLoss(model, batch(packed)),
    variables,
  );
  const results = [value, ...variables.map((v) => grads[v.name] as tf.Tensor)];
  const arrays = results.map((tensor) => tensor.dataSync() as Float32Array);
  tf.dispose(results);
  core.gpt.disposeGPT(model);
  return arrays;
}

const titled = (title: string) => (status.enabled ? title : `${title} (skipped: ${status.reason})`);

describe.skipIf(!status.enabled)(titled("the masked loss with the native kernels"), () => {
  it.each([
    ["padded rows", false],
    ["packed rows", true],
  ])("gives the plain path's loss and gradients: %s", (_, packed) => {
    expect(withNative.native.nativeOps()).toBeDefined();
    const [nativeLoss, ...native] = lossAndGradients(withNative, packed);
    const [plainLoss, ...plain] = lossAndGradients(withoutNative, packed);
    expect(Math.abs((nativeLoss?.[0] as number) - (plainLoss?.[0] as number))).toBeLessThan(1e-5);
    const largest = Math.max(...plain.map((gradient) => Math.max(...gradient.map(Math.abs))));
    native.forEach((gradient, i) => {
      const expected = plain[i] as Float32Array;
      const difference = Math.max(...gradient.map((g, j) => Math.abs(g - (expected[j] as number))));
      expect(difference / largest, `gradient ${i}`).toBeLessThan(1e-4);
    });
  });
});
