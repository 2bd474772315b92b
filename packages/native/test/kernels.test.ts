import * as tf from "@tensorflow/tfjs";
import type { BackendWasm } from "@tensorflow/tfjs-backend-wasm";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { kernelNames } from "../src/kernels.ts";
import * as native from "../src/ops.ts";
import { reference } from "../src/reference.ts";
import {
  adamCase,
  addCase,
  addLayerNormCase,
  attentionCase,
  type Case,
  crossEntropyCase,
  embeddingCase,
  geluCase,
  geluMlpCase,
  globalNormCase,
  layerNormCase,
  linearCase,
  matmulCase,
  queryKeyValueCase,
  randomTensor,
  relativeError,
  selfTest,
  transposeCase,
  worstError,
} from "../src/self-test.ts";
import { nativeKernelsForTests, titled } from "./native.ts";

const status = await nativeKernelsForTests();

/** Relative error (‖native − reference‖∞ / ‖reference‖∞) allowed for outputs and gradients. */
const tolerance = 1e-4;

function expectAgreement(cases: Case[]) {
  const errors = cases.map((check, i) => ({ name: check.name, error: worstError(check, i) }));
  const failures = errors.filter(({ error }) => !(error <= tolerance));
  expect(failures).toEqual([]);
}

/** Tensors and wasm buffers alive: every case must release all it makes. */
const alive = () => [tf.memory().numTensors, (tf.backend() as BackendWasm).numDataIds()];
let aliveBefore: number[] = [];
beforeEach(() => {
  aliveBefore = alive();
});
afterEach(() => {
  expect(alive()).toEqual(aliveBefore);
});

describe.skipIf(!status.enabled)(
  titled("native kernels against the reference tf ops", status),
  () => {
    it("matmul: plain, transposed and batched, odd sizes included", () => {
      const sizes: [number, number, number][] = [
        [1, 1, 1],
        [3, 5, 7],
        [17, 33, 9],
        [64, 128, 65],
        [127, 31, 255],
      ];
      tf.tidy(() => {
        const cases = sizes.flatMap(([m, k, n], i) =>
          [undefined, 3].flatMap((batch) =>
            [false, true].flatMap((transposeA) =>
              [false, true].map((transposeB) =>
                matmulCase([batch, m, k, n], transposeA, transposeB, 10 * i),
              ),
            ),
          ),
        );
        expectAgreement(cases);
      });
    });

    it("linear (matmul plus bias)", () => {
      tf.tidy(() =>
        expectAgreement([
          linearCase(1, 1, 1, 1),
          linearCase(33, 17, 9, 2),
          linearCase(256, 128, 513, 3),
        ]),
      );
    });

    it("query, key and value projections of one input", () => {
      tf.tidy(() =>
        expectAgreement([
          queryKeyValueCase(1, 1, [1, 1, 1], 1),
          queryKeyValueCase(33, 17, [9, 3, 3], 2),
          queryKeyValueCase(1024, 128, [128, 128, 128], 3),
        ]),
      );
    });

    it("embedding gather and its gradient, repeated ids adding up", () => {
      tf.tidy(() =>
        expectAgreement([
          embeddingCase(2, 1, 1, 1),
          embeddingCase(7, 5, 30, 2),
          embeddingCase(90, 128, 1024, 3),
        ]),
      );
    });

    it("layer norm", () => {
      tf.tidy(() =>
        expectAgreement([
          layerNormCase(1, 3, 1),
          layerNormCase(17, 5, 2),
          layerNormCase(5, 513, 3),
          layerNormCase(1024, 128, 4),
        ]),
      );
    });

    it("add and layer norm, both outputs", () => {
      tf.tidy(() =>
        expectAgreement([
          addLayerNormCase(1, 3, 1),
          addLayerNormCase(17, 5, 2),
          addLayerNormCase(1024, 128, 3),
        ]),
      );
    });

    it("GELU", () => {
      tf.tidy(() =>
        expectAgreement([
          geluCase([1], 1),
          geluCase([3, 7], 2),
          geluCase([1001], 3),
          geluCase([1024, 512], 4),
        ]),
      );
    });

    it("GELU MLP", () => {
      tf.tidy(() =>
        expectAgreement([
          geluMlpCase(1, 1, 1, 1, 1),
          geluMlpCase(17, 9, 33, 5, 2),
          geluMlpCase(1024, 128, 512, 128, 3),
        ]),
      );
    });

    it("causal attention, with query heads sharing key/value heads", () => {
      tf.tidy(() =>
        expectAgreement([
          attentionCase(1, 1, 1, 1, 1, 1),
          attentionCase(3, 4, 2, 5, 4, 2),
          attentionCase(2, 3, 1, 17, 9, 3),
          attentionCase(2, 4, 4, 7, 3, 4),
          attentionCase(16, 4, 4, 64, 32, 5),
          attentionCase(2, 6, 3, 33, 8, 6),
        ]),
      );
    });

    it("softmax cross-entropy", () => {
      tf.tidy(() =>
        expectAgreement([
          crossEntropyCase(1, 2, 2),
          crossEntropyCase(7, 3, 3),
          crossEntropyCase(33, 65, 4),
          crossEntropyCase(1024, 90, 5),
        ]),
      );
    });

    it("Adam and AdamW updates", () => {
      const adam = {
        beta1: 0.9,
        beta2: 0.999,
        epsilon: 1e-8,
        stepSize: 1e-3 / 0.1,
        biasCorrection2Root: Math.sqrt(0.001),
        decay: 1,
      };
      const adamW = { ...adam, beta1: 0.8, beta2: 0.95, decay: 1 - 1e-3 * 0.1 };
      tf.tidy(() =>
        expectAgreement([
          adamCase([1], adam, 1),
          adamCase([7, 13], adam, 2),
          adamCase([128, 513], adamW, 3),
        ]),
      );
    });

    it("Adam in place: every parameter and moment overwritten, shared ones copied first", () => {
      const step = {
        beta1: 0.9,
        beta2: 0.999,
        epsilon: 1e-8,
        stepSize: 1e-3 / 0.1,
        biasCorrection2Root: Math.sqrt(0.001),
      };
      const shapes = [[1], [7, 13], [128, 513], [5, 3]];
      const decays = [1, 1, 1 - 1e-4, 0.99];
      tf.tidy(() => {
        const slots = shapes.map((shape, i) => ({
          parameter: tf.variable(randomTensor(shape, 10 * i)),
          gradient: randomTensor(shape, 10 * i + 1),
          m: tf.variable(randomTensor(shape, 10 * i + 2, 0.1)),
          v: tf.variable(tf.abs(randomTensor(shape, 10 * i + 3, 0.01))),
          decay: decays[i] as number,
        }));
        const expected = slots.map(({ parameter, gradient, m, v, decay }) =>
          reference.adamUpdate(parameter, gradient, m, v, { ...step, decay }),
        );
        // The last parameter's memory is shared with a clone, which must keep its values.
        const last = slots[3] as (typeof slots)[number];
        const clone = last.parameter.clone();
        const cloneBefore = clone.dataSync().slice();
        native.adamUpdateInPlace(slots, step);
        slots.forEach(({ parameter, m, v }, i) => {
          [parameter, m, v].forEach((updated, j) => {
            const error = relativeError(updated, expected[i]?.[j] as tf.Tensor);
            expect(error, `slot ${i}, output ${j}`).toBeLessThanOrEqual(tolerance);
          });
        });
        expect(clone.dataSync()).toEqual(cloneBefore);
        for (const { parameter, m, v } of slots) tf.dispose([parameter, m, v]);
      });
    });

    it("global gradient norm", () => {
      tf.tidy(() =>
        expectAgreement([globalNormCase([[1]], 1), globalNormCase([[7, 13], [5], [128, 513]], 2)]),
      );
    });

    it("transpose (in place of the wasm backend's): every permutation up to rank 4", () => {
      const permutations = (axes: number[]): number[][] =>
        axes.length <= 1
          ? [axes]
          : axes.flatMap((axis) =>
              permutations(axes.filter((a) => a !== axis)).map((rest) => [axis, ...rest]),
            );
      const shapes = [[7], [3, 5], [2, 3, 4], [16, 9, 4, 5], [1, 7, 1, 3]];
      tf.tidy(() =>
        expectAgreement(
          shapes.flatMap((shape, i) =>
            permutations([...shape.keys()]).flatMap((perm) =>
              (["float32", "int32"] as const).map((dtype) => transposeCase(shape, perm, dtype, i)),
            ),
          ),
        ),
      );
    });

    it("add (in place of the wasm backend's), broadcasting left to the original", () => {
      tf.tidy(() => {
        expectAgreement([addCase([1], 1), addCase([7, 13], 2), addCase([1024, 128], 3)]);
        const broadcast = tf.add(tf.tensor2d([1, 2, 3, 4], [2, 2]), tf.tensor1d([10, 20]));
        expect(broadcast.arraySync()).toEqual([
          [11, 22],
          [13, 24],
        ]);
        expect(
          tf.add(tf.tensor1d([1, 2], "int32"), tf.tensor1d([3, 4], "int32")).arraySync(),
        ).toEqual([4, 6]);
      });
    });

    it("rejects inputs that do not fit, saying which", () => {
      tf.tidy(() => {
        const a = randomTensor([3, 4], 1) as tf.Tensor2D;
        expect(() => native.matmul(a, a)).toThrow("matmul: cannot multiply [3,4] by [3,4]");
        expect(() => native.embeddingLookup(a, tf.tensor1d([0, 5], "int32"))).toThrow(
          "attune native gather: id 5 at position 1 is outside 0..2",
        );
        expect(() => native.softmaxCrossEntropy(a, tf.tensor1d([0, 1, 2], "float32"))).toThrow(
          "softmaxCrossEntropy: targets must be int32 [3], got float32 [3]",
        );
        expect(() => native.softmaxCrossEntropy(a, tf.tensor1d([0, 4, 2], "int32"))).toThrow(
          "attune native softmaxCrossEntropy: target 4 at position 1 is outside 0..3",
        );
      });
    });

    it("the self-test passes, and reports a kernel that computes something else", () => {
      expect(selfTest()).toBeUndefined();
      const gelu = tf.getKernel(kernelNames.gelu, "wasm");
      tf.unregisterKernel(kernelNames.gelu, "wasm");
      // A wrong GELU: all zeros.
      tf.registerKernel({
        ...gelu,
        kernelFunc: ({ inputs, backend }) => {
          const { shape } = inputs.x as tf.TensorInfo;
          const zeros = new Float32Array(tf.util.sizeFromShape(shape));
          return (backend as BackendWasm).makeOutput(shape, "float32", undefined, zeros);
        },
      });
      try {
        expect(selfTest()).toMatch(/^gelu \[5,9\] differs by /);
      } finally {
        tf.unregisterKernel(kernelNames.gelu, "wasm");
        tf.registerKernel(gelu);
      }
    });
  },
);
