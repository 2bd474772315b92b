/**
 * The chunked head loss (head-loss.ts) against the plain formulation, the whole logits and then
 * softmaxCrossEntropy (or maskedSoftmaxCrossEntropy): the same loss and the same gradients with
 * respect to the hidden states and the head weight, tied ([vocab, dModel], used transposed) or
 * untied, trained or frozen, at chunk sizes that divide the rows and that do not. On the plain wasm
 * path and, where the addon is installed, with the native kernels: each path gets its own copy of
 * the modules (the backend is chosen once per process, per copy).
 */
import * as tf from "@tensorflow/tfjs";
import { afterAll, describe, expect, it, vi } from "vitest";
import { Random } from "../../src/random.ts";

const originalEnvironment = { ...process.env };
afterAll(() => {
  process.env = originalEnvironment;
});

async function loadCore(nativeSwitch: "auto" | "off") {
  vi.resetModules();
  // The plain path is plain wasm; the other is whatever loads first (native where installed).
  if (nativeSwitch === "off") process.env.ATTUNE_TF_BACKEND = "wasm";
  else delete process.env.ATTUNE_TF_BACKEND;
  const choice = await (await import("../../src/train/backend.ts")).selectBackend();
  return {
    choice,
    headLoss: await import("../../src/model/head-loss.ts"),
    ops: await import("../../src/model/ops.ts"),
  };
}
type Core = Awaited<ReturnType<typeof loadCore>>;

const plainPath = await loadCore("off");
const nativePath = await loadCore("auto");
const paths: [string, Core][] = [["plain wasm", plainPath]];
if (nativePath.choice.name === "native") paths.push(["native kernels", nativePath]);
else if (process.env.ATTUNE_REQUIRE_NATIVE === "1") throw new Error("the native kernels are off");

const [rows, width, vocab] = [10, 6, 13];
const random = new Random(3);
const normals = (count: number, std: number) =>
  Float32Array.from({ length: count }, () => random.normal(0, std));
const hiddenValues = normals(rows * width, 1);
const headValues = normals(vocab * width, 0.7);
const targets = Int32Array.from({ length: rows }, () => random.int(0, vocab - 1));
const mask = Float32Array.from([1, 0, 0, 1, 1, 1, 0, 1, 1, 0]);

interface Case {
  tied: boolean;
  trainsHead: boolean;
}

/**
 * The loss and its gradients with respect to the hidden states and (when it trains) the head
 * weight, for a loss of the hidden states and the head.
 */
function lossAndGradients(
  { tied, trainsHead }: Case,
  loss: (hidden: tf.Tensor2D, head: { weight: tf.Tensor2D; transposed: boolean }) => tf.Scalar,
): Float32Array[] {
  const hidden = tf.variable(tf.tensor2d(hiddenValues, [rows, width]));
  const weight = tf.variable(
    tied ? tf.tensor2d(headValues, [vocab, width]) : tf.tensor2d(headValues, [width, vocab]),
    trainsHead,
  ) as tf.Variable<tf.Rank.R2>;
  const variables = trainsHead ? [hidden, weight] : [hidden];
  const { value, grads } = tf.variableGrads(
    () => loss(hidden, { weight, transposed: tied }),
    variables,
  );
  const results = [value, ...variables.map((v) => grads[v.name] as tf.Tensor)];
  const arrays = results.map((tensor) => tensor.dataSync() as Float32Array);
  tf.dispose([...results, hidden, weight]);
  return arrays;
}

/** Same loss, and each gradient the same to float32 noise (relative to its largest entry). */
function expectSame(actual: Float32Array[], expected: Float32Array[]) {
  expect(actual.length).toBe(expected.length);
  expect(actual[0]?.[0]).toBeCloseTo(expected[0]?.[0] as number, 5);
  for (let i = 1; i < expected.length; i++) {
    const [a, b] = [actual[i] as Float32Array, expected[i] as Float32Array];
    const largest = Math.max(...b.map(Math.abs));
    expect(largest).toBeGreaterThan(0);
    const worst = Math.max(...a.map((x, j) => Math.abs(x - (b[j] as number))));
    expect(worst / largest, `gradient ${i}`).toBeLessThan(1e-5);
  }
}

const cases: [string, Case][] = [
  ["tied head, trained", { tied: true, trainsHead: true }],
  ["tied head, frozen", { tied: true, trainsHead: false }],
  ["untied head, trained", { tied: false, trainsHead: true }],
  ["untied head, frozen", { tied: false, trainsHead: false }],
];
// One row per chunk; 3 and 4, which do not divide the 10 rows; all rows; more than the rows.
const chunkSizes = [1, 3, 4, 10, 16];

describe.each(paths)("headCrossEntropy on the %s path", (_, core) => {
  const { headCrossEntropy, maskedHeadCrossEntropy } = core.headLoss;
  const { matmul, maskedSoftmaxCrossEntropy, softmaxCrossEntropy } = core.ops;
  const logits = (hidden: tf.Tensor2D, head: { weight: tf.Tensor2D; transposed: boolean }) =>
    matmul(hidden, head.weight, head.transposed);

  describe.each(cases)("%s", (_, headCase) => {
    const plain = lossAndGradients(headCase, (hidden, head) =>
      softmaxCrossEntropy(logits(hidden, head), tf.tensor1d(targets, "int32")),
    );
    const plainMasked = lossAndGradients(headCase, (hidden, head) =>
      maskedSoftmaxCrossEntropy(logits(hidden, head), targets, mask),
    );

    it.each(chunkSizes)("gives the plain loss and gradients with %i rows per chunk", (chunk) => {
      expectSame(
        lossAndGradients(headCase, (hidden, head) =>
          headCrossEntropy(hidden, head, targets, chunk),
        ),
        plain,
      );
    });

    it.each(chunkSizes)("and so does its masked form, %i rows per chunk", (chunk) => {
      const masked = lossAndGradients(headCase, (hidden, head) =>
        maskedHeadCrossEntropy(hidden, head, targets, mask, chunk),
      );
      expectSame(masked, plainMasked);
      // Rows the mask leaves out get exactly zero gradient.
      const dhidden = masked[1] as Float32Array;
      for (let r = 0; r < rows; r++) {
        if (mask[r] === 0)
          expect(dhidden.subarray(r * width, (r + 1) * width)).toEqual(new Float32Array(width));
      }
    });
  });

  it("gives the plain loss with the default chunk size, and when no gradient is taken", () => {
    const [expected] = lossAndGradients({ tied: true, trainsHead: true }, (hidden, head) =>
      softmaxCrossEntropy(logits(hidden, head), tf.tensor1d(targets, "int32")),
    );
    const value = tf.tidy(() => {
      const hidden = tf.tensor2d(hiddenValues, [rows, width]);
      const weight = tf.tensor2d(headValues, [vocab, width]);
      return headCrossEntropy(hidden, { weight, transposed: true }, targets).dataSync()[0];
    });
    expect(value).toBeCloseTo(expected?.[0] as number, 5);
  });

  it("says when the targets do not fit the rows, or the chunk size is not a count", () => {
    tf.tidy(() => {
      const hidden = tf.tensor2d(hiddenValues, [rows, width]);
      const head = { weight: tf.tensor2d(headValues, [vocab, width]), transposed: true };
      expect(() => headCrossEntropy(hidden, head, targets.subarray(1))).toThrow(
        "9 targets for 10 rows",
      );
      expect(() => headCrossEntropy(hidden, head, targets, 0)).toThrow("chunkRows");
    });
  });
});
