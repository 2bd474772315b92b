/**
 * Compares native ops with their plain tf references (reference.ts): outputs, and gradients for
 * the same random upstream gradient. The load-time self-test runs one small case of every op; the
 * tests run many shapes through the same comparison.
 */
import * as tf from "@tensorflow/tfjs";
import * as native from "./ops.ts";
import { reference } from "./reference.ts";

type Op = (...inputs: tf.Tensor[]) => tf.Tensor;

export interface Case {
  name: string;
  native: Op;
  reference: Op;
  inputs: tf.Tensor[];
  /** Compare gradients too (default true). */
  differentiable?: boolean;
}

/**
 * The worst relative error, ‖native − reference‖∞ / ‖reference‖∞, over the output and (for a
 * differentiable case) the gradient of every input.
 */
export function worstError(check: Case, seed = 0): number {
  return tf.tidy(() => {
    const expected = check.reference(...check.inputs);
    const errors = [relativeError(check.native(...check.inputs), expected)];
    if (check.differentiable ?? true) {
      const dy = tf.randomNormal(expected.shape, 0, 1, "float32", seed);
      const nativeGradients = tf.grads(check.native)(check.inputs, dy);
      const referenceGradients = tf.grads(check.reference)(check.inputs, dy);
      nativeGradients.forEach((gradient, i) => {
        errors.push(relativeError(gradient, referenceGradients[i] as tf.Tensor));
      });
    }
    return Math.max(...errors);
  });
}

export function relativeError(actual: tf.Tensor, expected: tf.Tensor): number {
  if (!tf.util.arraysEqual(actual.shape, expected.shape)) return Number.POSITIVE_INFINITY;
  const a = actual.dataSync();
  const b = expected.dataSync();
  let difference = 0;
  let scale = 0;
  for (let i = 0; i < b.length; i++) {
    difference = Math.max(difference, Math.abs((a[i] as number) - (b[i] as number)));
    scale = Math.max(scale, Math.abs(b[i] as number));
  }
  // NaN anywhere makes the comparison fail.
  const error = difference / Math.max(scale, Number.MIN_VALUE);
  return Number.isNaN(error) ? Number.POSITIVE_INFINITY : error;
}

/** Random float32 values, N(0, 1) times `scale`. */
export function randomTensor(shape: number[], seed: number, scale = 1): tf.Tensor {
  return tf.randomNormal(shape, 0, scale, "float32", seed);
}

/** Random int32 ids in 0..limit-1. */
export function randomIds(count: number, limit: number, seed: number): tf.Tensor1D {
  return tf.randomUniform([count], 0, limit, "int32", seed) as tf.Tensor1D;
}

/** An op's several outputs side by side, so that one comparison (and gradient) covers them all. */
function joined(outputs: tf.Tensor[]): tf.Tensor {
  return tf.concat(outputs.map((output) => output.flatten()));
}

// Case builders, by shape. Odd sizes on purpose: they catch stride and remainder-loop mistakes.

export function matmulCase(
  [batch, m, k, n]: [number | undefined, number, number, number],
  transposeA: boolean,
  transposeB: boolean,
  seed: number,
): Case {
  const shape = (rows: number, columns: number, transposed: boolean) => [
    ...(batch === undefined ? [] : [batch]),
    ...(transposed ? [columns, rows] : [rows, columns]),
  ];
  return {
    name: `matmul ${batch ?? "-"}×${m}×${k}×${n} ${transposeA ? "T" : "N"}${transposeB ? "T" : "N"}`,
    native: (a, b) => native.matmul(a as tf.Tensor2D, b as tf.Tensor2D, transposeA, transposeB),
    reference: (a, b) => reference.matmul(a as tf.Tensor, b as tf.Tensor, transposeA, transposeB),
    inputs: [
      randomTensor(shape(m, k, transposeA), seed),
      randomTensor(shape(k, n, transposeB), seed + 1),
    ],
  };
}

export function linearCase(rows: number, inputs: number, outputs: number, seed: number): Case {
  return {
    name: `linear ${rows}×${inputs}×${outputs}`,
    native: (x, w, b) => native.linear(x as tf.Tensor2D, w as tf.Tensor2D, b as tf.Tensor1D),
    reference: (x, w, b) => reference.linear(x as tf.Tensor, w as tf.Tensor, b as tf.Tensor),
    inputs: [
      randomTensor([rows, inputs], seed),
      randomTensor([inputs, outputs], seed + 1),
      randomTensor([outputs], seed + 2),
    ],
  };
}

export function queryKeyValueCase(
  rows: number,
  inputs: number,
  outputs: [number, number, number],
  seed: number,
): Case {
  return {
    name: `queryKeyValue ${rows}×${inputs}×[${outputs}]`,
    native: (x, ...parameters) =>
      joined(
        native.queryKeyValue(
          x as tf.Tensor2D,
          [0, 2, 4].map((i) => parameters[i]) as [tf.Tensor2D, tf.Tensor2D, tf.Tensor2D],
          [1, 3, 5].map((i) => parameters[i]) as [tf.Tensor1D, tf.Tensor1D, tf.Tensor1D],
        ),
      ),
    reference: (x, ...parameters) =>
      joined(
        reference.queryKeyValue(
          x as tf.Tensor,
          [0, 2, 4].map((i) => parameters[i] as tf.Tensor),
          [1, 3, 5].map((i) => parameters[i] as tf.Tensor),
        ),
      ),
    inputs: [
      randomTensor([rows, inputs], seed),
      ...outputs.flatMap((width, i) => [
        randomTensor([inputs, width], seed + 2 * i + 1),
        randomTensor([width], seed + 2 * i + 2),
      ]),
    ],
  };
}

export function embeddingCase(vocab: number, width: number, count: number, seed: number): Case {
  const ids = randomIds(count, vocab, seed);
  return {
    name: `embedding ${vocab}×${width}, ${count} ids`,
    native: (table) => native.embeddingLookup(table as tf.Tensor2D, ids),
    reference: (table) => reference.embeddingLookup(table as tf.Tensor2D, ids),
    inputs: [randomTensor([vocab, width], seed + 1)],
  };
}

export function layerNormCase(rows: number, width: number, seed: number): Case {
  return {
    name: `layerNorm ${rows}×${width}`,
    native: (x, gain, bias) =>
      native.layerNorm(x as tf.Tensor2D, gain as tf.Tensor1D, bias as tf.Tensor1D),
    reference: (x, gain, bias) =>
      reference.layerNorm(x as tf.Tensor, gain as tf.Tensor, bias as tf.Tensor),
    inputs: [
      tf.add(randomTensor([rows, width], seed, 2), 0.5),
      randomTensor([width], seed + 1),
      randomTensor([width], seed + 2),
    ],
  };
}

export function addLayerNormCase(rows: number, width: number, seed: number): Case {
  return {
    name: `addLayerNorm ${rows}×${width}`,
    native: (a, b, gain, bias) =>
      joined(
        native.addLayerNorm(
          a as tf.Tensor2D,
          b as tf.Tensor2D,
          gain as tf.Tensor1D,
          bias as tf.Tensor1D,
        ),
      ),
    reference: (a, b, gain, bias) =>
      joined(
        reference.addLayerNorm(
          a as tf.Tensor,
          b as tf.Tensor,
          gain as tf.Tensor,
          bias as tf.Tensor,
        ),
      ),
    inputs: [
      randomTensor([rows, width], seed, 2),
      randomTensor([rows, width], seed + 1),
      randomTensor([width], seed + 2),
      randomTensor([width], seed + 3),
    ],
  };
}

export function geluCase(shape: number[], seed: number): Case {
  return {
    name: `gelu [${shape}]`,
    native: (x) => native.gelu(x as tf.Tensor),
    reference: (x) => reference.gelu(x as tf.Tensor),
    // Wide enough to reach both tails.
    inputs: [randomTensor(shape, seed, 3)],
  };
}

export function geluMlpCase(
  rows: number,
  inputs: number,
  width: number,
  outputs: number,
  seed: number,
): Case {
  return {
    name: `geluMlp ${rows}×${inputs}×${width}×${outputs}`,
    native: (x, w1, b1, w2, b2) =>
      native.geluMlp(
        x as tf.Tensor2D,
        w1 as tf.Tensor2D,
        b1 as tf.Tensor1D,
        w2 as tf.Tensor2D,
        b2 as tf.Tensor1D,
      ),
    reference: (x, w1, b1, w2, b2) =>
      reference.geluMlp(
        x as tf.Tensor,
        w1 as tf.Tensor,
        b1 as tf.Tensor,
        w2 as tf.Tensor,
        b2 as tf.Tensor,
      ),
    inputs: [
      randomTensor([rows, inputs], seed),
      randomTensor([inputs, width], seed + 1, 0.5),
      randomTensor([width], seed + 2),
      randomTensor([width, outputs], seed + 3, 0.5),
      randomTensor([outputs], seed + 4),
    ],
  };
}

export function attentionCase(
  batch: number,
  heads: number,
  kvHeads: number,
  length: number,
  headDim: number,
  seed: number,
): Case {
  const shape = { heads, kvHeads, length };
  return {
    name: `causalAttention batch ${batch}, ${heads} heads, ${kvHeads} key/value heads, T ${length}, head ${headDim}`,
    native: (q, k, v) =>
      native.causalAttention(q as tf.Tensor2D, k as tf.Tensor2D, v as tf.Tensor2D, shape),
    reference: (q, k, v) =>
      reference.causalAttention(q as tf.Tensor2D, k as tf.Tensor2D, v as tf.Tensor2D, shape),
    inputs: [
      randomTensor([batch * length, heads * headDim], seed),
      randomTensor([batch * length, kvHeads * headDim], seed + 1),
      randomTensor([batch * length, kvHeads * headDim], seed + 2),
    ],
  };
}

export function crossEntropyCase(rows: number, classes: number, seed: number): Case {
  const targets = randomIds(rows, classes, seed);
  return {
    name: `softmaxCrossEntropy ${rows}×${classes}`,
    native: (logits) => native.softmaxCrossEntropy(logits as tf.Tensor2D, targets),
    reference: (logits) => reference.softmaxCrossEntropy(logits as tf.Tensor2D, targets),
    inputs: [randomTensor([rows, classes], seed + 1, 3)],
  };
}

export function adamCase(shape: number[], step: native.AdamStep, seed: number): Case {
  return {
    name: `adam [${shape}]`,
    native: (p, g, m, v) =>
      joined(
        native.adamUpdate(p as tf.Tensor, g as tf.Tensor, m as tf.Tensor, v as tf.Tensor, step),
      ),
    reference: (p, g, m, v) =>
      joined(
        reference.adamUpdate(p as tf.Tensor, g as tf.Tensor, m as tf.Tensor, v as tf.Tensor, step),
      ),
    inputs: [
      randomTensor(shape, seed),
      randomTensor(shape, seed + 1),
      randomTensor(shape, seed + 2, 0.1),
      tf.abs(randomTensor(shape, seed + 3, 0.01)),
    ],
    differentiable: false,
  };
}

export function globalNormCase(shapes: number[][], seed: number): Case {
  return {
    name: `globalNorm ${shapes.map((shape) => `[${shape}]`).join(" ")}`,
    native: (...tensors) => native.globalNorm(tensors),
    reference: (...tensors) => reference.globalNorm(tensors),
    inputs: shapes.map((shape, i) => randomTensor(shape, seed + i)),
    differentiable: false,
  };
}

export function addCase(shape: number[], seed: number): Case {
  return {
    name: `add [${shape}]`,
    native: (a, b) => tf.add(a as tf.Tensor, b as tf.Tensor),
    reference: (a, b) => reference.add(a as tf.Tensor, b as tf.Tensor),
    inputs: [randomTensor(shape, seed), randomTensor(shape, seed + 1)],
    differentiable: false,
  };
}

export function transposeCase(
  shape: number[],
  perm: number[],
  dtype: "float32" | "int32",
  seed: number,
): Case {
  const values = randomTensor(shape, seed, 100);
  return {
    name: `transpose ${dtype} [${shape}] by [${perm}]`,
    native: (x) => tf.transpose(x as tf.Tensor, perm),
    reference: (x) => reference.transpose(x as tf.Tensor, perm),
    inputs: [dtype === "int32" ? tf.cast(values, "int32") : values],
    differentiable: false,
  };
}

const selfTestTolerance = 1e-3;

/**
 * One small case of every native op against its reference; returns what failed, or undefined
 * when all agree.
 */
export function selfTest(): string | undefined {
  const step = {
    beta1: 0.9,
    beta2: 0.999,
    epsilon: 1e-8,
    stepSize: 0.01,
    biasCorrection2Root: 0.05,
    decay: 0.999,
  };
  return tf.tidy(() => {
    const cases = [
      matmulCase([undefined, 5, 7, 3], false, false, 1),
      matmulCase([undefined, 5, 7, 3], true, true, 2),
      matmulCase([2, 5, 7, 3], false, true, 3),
      matmulCase([2, 5, 7, 3], true, false, 4),
      linearCase(6, 5, 3, 5),
      queryKeyValueCase(6, 5, [4, 2, 2], 16),
      embeddingCase(7, 5, 9, 6),
      layerNormCase(6, 7, 7),
      addLayerNormCase(6, 7, 15),
      geluCase([5, 9], 8),
      geluMlpCase(6, 5, 7, 4, 17),
      attentionCase(2, 4, 2, 5, 3, 9),
      crossEntropyCase(6, 5, 10),
      adamCase([5, 7], step, 11),
      globalNormCase([[5, 7], [3]], 12),
      transposeCase([2, 3, 4, 5], [0, 2, 1, 3], "float32", 13),
      addCase([5, 7], 14),
    ];
    const failures = cases
      .map((check) => ({ name: check.name, error: worstError(check) }))
      .filter(({ error }) => !(error <= selfTestTolerance))
      .map(({ name, error }) => `${name} differs by ${error.toExponential(1)}`);
    return failures.length === 0 ? undefined : failures.join("; ");
  });
}
