/**
 * The native kernels as tf ops, with their gradients (tf.customGrad, or tf.registerGradient for
 * kernels with several outputs). Each checks its inputs' shapes and types, so that the kernels
 * only ever see consistent ones.
 */
import * as tf from "@tensorflow/tfjs";
import type { BackendWasm } from "@tensorflow/tfjs-backend-wasm";
import { kernelNames, matrixShape, projections } from "./kernels.ts";

type Attributes = Record<string, number | boolean | number[]>;

function run(kernelName: string, inputs: tf.NamedTensorMap, attrs: Attributes = {}) {
  return tf.engine().runKernel(kernelName, inputs, attrs as unknown as tf.NamedAttrMap);
}

/**
 * op(a) · op(b) for matrices, op(a) [m, k] and op(b) [k, n], or equal-sized batches of them
 * ([batch, …]); op transposes the last two dimensions when asked.
 */
export function matmul<T extends tf.Tensor2D | tf.Tensor3D>(
  a: T,
  b: T,
  transposeA = false,
  transposeB = false,
): T {
  checkFloat32("matmul", { a, b });
  const [, k] = matrixShape(a, transposeA);
  const [kOfB] = matrixShape(b, transposeB);
  const sameBatch = a.rank === 2 || a.shape[0] === b.shape[0];
  if ((a.rank !== 2 && a.rank !== 3) || a.rank !== b.rank || !sameBatch || k !== kOfB) {
    throw new Error(
      `matmul: cannot multiply [${a.shape}]${transposeA ? "ᵀ" : ""} by [${b.shape}]${transposeB ? "ᵀ" : ""}`,
    );
  }
  const op = tf.customGrad((...args) => {
    const [a, b, save] = args as [tf.Tensor, tf.Tensor, tf.GradSaveFunc];
    save([a, b]);
    return {
      value: product(a, b, transposeA, transposeB),
      gradFunc: (dy, saved) => {
        const [a, b] = saved as [tf.Tensor, tf.Tensor];
        const dc = dy as tf.Tensor;
        // c = op(a)·op(b): d op(a) = dc·op(b)ᵀ and d op(b) = op(a)ᵀ·dc, transposed back where
        // a or b was used transposed.
        return [
          transposeA ? product(b, dc, transposeB, true) : product(dc, b, false, !transposeB),
          transposeB ? product(dc, a, true, transposeA) : product(a, dc, !transposeA, false),
        ];
      },
    };
  });
  return op(a, b) as T;
}

function product(a: tf.Tensor, b: tf.Tensor, transposeA: boolean, transposeB: boolean) {
  return run(kernelNames.matMul, { a, b }, { transposeA, transposeB }) as tf.Tensor;
}

/** x [rows, inputs] · weight [inputs, outputs] + bias [outputs]. */
export function linear(x: tf.Tensor2D, weight: tf.Tensor2D, bias: tf.Tensor1D): tf.Tensor2D {
  checkFloat32("linear", { x, weight, bias });
  const ranks = x.rank === 2 && weight.rank === 2 && bias.rank === 1;
  if (!ranks || x.shape[1] !== weight.shape[0] || bias.shape[0] !== weight.shape[1]) {
    throw new Error(
      `linear: x [${x.shape}], weight [${weight.shape}] and bias [${bias.shape}] do not fit`,
    );
  }
  const op = tf.customGrad((...args) => {
    const [x, weight, bias, save] = args as [
      tf.Tensor2D,
      tf.Tensor2D,
      tf.Tensor1D,
      tf.GradSaveFunc,
    ];
    save([x, weight]);
    return {
      value: run(kernelNames.linear, { x, weight, bias }) as tf.Tensor2D,
      gradFunc: (dy, saved) => {
        const [x, weight] = saved as [tf.Tensor2D, tf.Tensor2D];
        return run(kernelNames.linearGrad, { dy: dy as tf.Tensor, x, weight }) as tf.Tensor[];
      },
    };
  });
  return op(x, weight, bias) as tf.Tensor2D;
}

/**
 * Attention's query, key and value projections of x [rows, inputs]: [x·wq + bq, x·wk + bk,
 * x·wv + bv], as one op whose gradient sums the three products for dx inside BLAS (separate linears
 * would leave tf two Adds).
 */
export function queryKeyValue(
  x: tf.Tensor2D,
  weights: [tf.Tensor2D, tf.Tensor2D, tf.Tensor2D],
  biases: [tf.Tensor1D, tf.Tensor1D, tf.Tensor1D],
): [tf.Tensor2D, tf.Tensor2D, tf.Tensor2D] {
  const inputs: tf.NamedTensorMap = { x };
  projections.forEach((name, i) => {
    const [weight, bias] = [weights[i] as tf.Tensor2D, biases[i] as tf.Tensor1D];
    checkFloat32("queryKeyValue", { x, weight, bias });
    const ranks = x.rank === 2 && weight.rank === 2 && bias.rank === 1;
    if (!ranks || x.shape[1] !== weight.shape[0] || bias.shape[0] !== weight.shape[1]) {
      throw new Error(
        `queryKeyValue: x [${x.shape}], ${name} weight [${weight.shape}] and bias [${bias.shape}] do not fit`,
      );
    }
    inputs[`${name}Weight`] = weight;
    inputs[`${name}Bias`] = bias;
  });
  return run(kernelNames.queryKeyValue, inputs) as [tf.Tensor2D, tf.Tensor2D, tf.Tensor2D];
}

/** Rows of table [vocab, width] for int32 token ids [count], as [count, width]. */
export function embeddingLookup(table: tf.Tensor2D, ids: tf.Tensor1D): tf.Tensor2D {
  checkFloat32("embeddingLookup", { table });
  if (ids.dtype !== "int32" || ids.rank !== 1) {
    throw new Error(`embeddingLookup: ids must be int32 [count], got ${ids.dtype} [${ids.shape}]`);
  }
  const vocab = table.shape[0];
  const op = tf.customGrad((...args) => {
    const [table, save] = args as [tf.Tensor2D, tf.GradSaveFunc];
    save([ids]);
    return {
      value: run(kernelNames.gather, { table, ids }) as tf.Tensor2D,
      // Rows of tokens that occur more than once add up.
      gradFunc: (dy, saved) => {
        const [ids] = saved as [tf.Tensor1D];
        return [run(kernelNames.scatterAdd, { dy: dy as tf.Tensor, ids }, { vocab }) as tf.Tensor];
      },
    };
  });
  return op(table) as tf.Tensor2D;
}

/** LayerNorm over the last axis of x [rows, width], with gain and bias [width]. */
export function layerNorm(
  x: tf.Tensor2D,
  gain: tf.Tensor1D,
  bias: tf.Tensor1D,
  epsilon = 1e-5,
): tf.Tensor2D {
  checkFloat32("layerNorm", { x, gain, bias });
  if (x.rank !== 2 || gain.shape[0] !== x.shape[1] || bias.shape[0] !== x.shape[1]) {
    throw new Error(
      `layerNorm: x [${x.shape}], gain [${gain.shape}], bias [${bias.shape}] do not fit`,
    );
  }
  const op = tf.customGrad((...args) => {
    const [x, gain, bias, save] = args as [tf.Tensor2D, tf.Tensor1D, tf.Tensor1D, tf.GradSaveFunc];
    const [out, mean, inverseStd] = run(kernelNames.layerNorm, { x, gain, bias }, { epsilon }) as [
      tf.Tensor2D,
      tf.Tensor1D,
      tf.Tensor1D,
    ];
    save([x, gain, mean, inverseStd]);
    return {
      value: out,
      gradFunc: (dy, saved) => {
        const [x, gain, mean, inverseStd] = saved as [tf.Tensor, tf.Tensor, tf.Tensor, tf.Tensor];
        return run(kernelNames.layerNormGrad, {
          dy: dy as tf.Tensor,
          x,
          gain,
          mean,
          inverseStd,
        }) as tf.Tensor[];
      },
    };
  });
  return op(x, gain, bias) as tf.Tensor2D;
}

/**
 * The residual stream's add and the LayerNorm that reads it, in one op: returns [a + b,
 * LayerNorm(a + b)]. Their gradients meet in one kernel too, where separate ops would leave tf an
 * Add of the two.
 */
export function addLayerNorm(
  a: tf.Tensor2D,
  b: tf.Tensor2D,
  gain: tf.Tensor1D,
  bias: tf.Tensor1D,
  epsilon = 1e-5,
): [tf.Tensor2D, tf.Tensor2D] {
  checkFloat32("addLayerNorm", { a, b, gain, bias });
  const fits = a.rank === 2 && tf.util.arraysEqual(a.shape, b.shape);
  if (!fits || gain.shape[0] !== a.shape[1] || bias.shape[0] !== a.shape[1]) {
    throw new Error(
      `addLayerNorm: a [${a.shape}], b [${b.shape}], gain [${gain.shape}], bias [${bias.shape}] do not fit`,
    );
  }
  const [sum, out, mean, inverseStd] = run(
    kernelNames.addLayerNorm,
    { a, b, gain, bias },
    { epsilon },
  ) as [tf.Tensor2D, tf.Tensor2D, tf.Tensor1D, tf.Tensor1D];
  // The tape keeps its own references to the statistics its gradient needs.
  tf.dispose([mean, inverseStd]);
  return [sum, out];
}

/**
 * Registers the gradients of the kernels with several outputs, which tf.customGrad cannot express
 * (once per process, as the kernels are).
 */
export function registerGradients() {
  if (tf.getGradient(kernelNames.addLayerNorm) !== undefined) return;
  tf.registerGradient({
    kernelName: kernelNames.queryKeyValue,
    inputsToSave: ["x", ...projections.map((name) => `${name}Weight`)],
    gradFunc: (dys, saved) => {
      const [x, ...weights] = saved as tf.Tensor[];
      const inputs: tf.NamedTensorMap = { x: x as tf.Tensor };
      projections.forEach((name, i) => {
        inputs[`d${name}`] = (dys as tf.Tensor[])[i] as tf.Tensor;
        inputs[`${name}Weight`] = weights[i] as tf.Tensor;
      });
      const [dx, ...gradients] = run(kernelNames.queryKeyValueGrad, inputs) as tf.Tensor[];
      const result: Record<string, () => tf.Tensor> = { x: () => dx as tf.Tensor };
      projections.forEach((name, i) => {
        result[`${name}Weight`] = () => gradients[2 * i] as tf.Tensor;
        result[`${name}Bias`] = () => gradients[2 * i + 1] as tf.Tensor;
      });
      return result;
    },
  });
  tf.registerGradient({
    kernelName: kernelNames.addLayerNorm,
    inputsToSave: ["gain"],
    // sum, out, mean, inverseStd
    outputsToSave: [true, false, true, true],
    gradFunc: (dys, saved) => {
      // tf passes zeros for outputs that nothing used (the statistics, the last sum).
      const [dsum, dout] = dys as tf.Tensor[];
      const [gain, sum, mean, inverseStd] = saved;
      const [dx, dgain, dbias] = run(kernelNames.layerNormGrad, {
        dy: dout as tf.Tensor,
        x: sum as tf.Tensor,
        gain: gain as tf.Tensor,
        mean: mean as tf.Tensor,
        inverseStd: inverseStd as tf.Tensor,
        dsum: dsum as tf.Tensor,
      }) as [tf.Tensor, tf.Tensor, tf.Tensor];
      // Two tensors (sharing memory): tf disposes each input's gradient on its own.
      return {
        a: () => dx,
        b: () => tf.clone(dx),
        gain: () => dgain,
        bias: () => dbias,
      };
    },
  });
}

/** GELU, tanh approximation (as GPT-2). */
export function gelu<T extends tf.Tensor>(x: T): T {
  checkFloat32("gelu", { x });
  const op = tf.customGrad((...args) => {
    const [x, save] = args as [tf.Tensor, tf.GradSaveFunc];
    save([x]);
    return {
      value: run(kernelNames.gelu, { x }) as tf.Tensor,
      gradFunc: (dy, saved) => {
        const [x] = saved as [tf.Tensor];
        return [run(kernelNames.geluGrad, { dy: dy as tf.Tensor, x }) as tf.Tensor];
      },
    };
  });
  return op(x) as T;
}

/**
 * The MLP gelu(x·w1 + b1)·w2 + b2 (GELU's tanh approximation), x [rows, inputs], w1 [inputs,
 * width], w2 [width, outputs], as one op: one kernel each way instead of three, and the hidden
 * layer's gradient never becomes a tensor.
 */
export function geluMlp(
  x: tf.Tensor2D,
  w1: tf.Tensor2D,
  b1: tf.Tensor1D,
  w2: tf.Tensor2D,
  b2: tf.Tensor1D,
): tf.Tensor2D {
  checkFloat32("geluMlp", { x, w1, b1, w2, b2 });
  const ranks = x.rank === 2 && w1.rank === 2 && w2.rank === 2 && b1.rank === 1 && b2.rank === 1;
  const [inputs, width] = w1.shape;
  const fits = x.shape[1] === inputs && b1.shape[0] === width && w2.shape[0] === width;
  if (!ranks || !fits || b2.shape[0] !== w2.shape[1]) {
    throw new Error(
      `geluMlp: x [${x.shape}], w1 [${w1.shape}], b1 [${b1.shape}], w2 [${w2.shape}] and b2 [${b2.shape}] do not fit`,
    );
  }
  const op = tf.customGrad((...args) => {
    const [x, w1, b1, w2, b2, save] = args as [
      tf.Tensor2D,
      tf.Tensor2D,
      tf.Tensor1D,
      tf.Tensor2D,
      tf.Tensor1D,
      tf.GradSaveFunc,
    ];
    const [out, hidden, activated] = run(kernelNames.geluMlp, {
      x,
      w1,
      b1,
      w2,
      b2,
    }) as tf.Tensor2D[];
    save([x, w1, w2, hidden as tf.Tensor, activated as tf.Tensor]);
    return {
      value: out as tf.Tensor2D,
      gradFunc: (dy, saved) => {
        const [x, w1, w2, hidden, activated] = saved as tf.Tensor[];
        return run(kernelNames.geluMlpGrad, {
          dy: dy as tf.Tensor,
          x: x as tf.Tensor,
          w1: w1 as tf.Tensor,
          w2: w2 as tf.Tensor,
          hidden: hidden as tf.Tensor,
          activated: activated as tf.Tensor,
        }) as tf.Tensor[];
      },
    };
  });
  return op(x, w1, b1, w2, b2) as tf.Tensor2D;
}

/** How attention's inputs divide into heads and sequences. */
export interface AttentionHeads {
  /** Query heads. */
  heads: number;
  /** Key/value heads, a divisor of heads: query head h uses key/value head h / (heads / kvHeads). */
  kvHeads: number;
  /** Positions per sequence: the rows are sequences of this many positions, one after another. */
  length: number;
}

/**
 * Causal multi-head attention on the projections' own layout: query [batch·length, heads·headDim],
 * key and value [batch·length, kvHeads·headDim], head h in columns h·headDim… Each position sees
 * the positions up to itself in its own sequence. Returns [batch·length, heads·headDim].
 */
export function causalAttention(
  query: tf.Tensor2D,
  key: tf.Tensor2D,
  value: tf.Tensor2D,
  { heads, kvHeads, length }: AttentionHeads,
): tf.Tensor2D {
  checkFloat32("causalAttention", { query, key, value });
  const [rows, width] = query.shape;
  const headDim = width / heads;
  const fits = (t: tf.Tensor2D) => t.shape[0] === rows && t.shape[1] === kvHeads * headDim;
  const divides = [headDim, rows / length, heads / kvHeads].every(Number.isInteger);
  if (!divides || !fits(key) || !fits(value)) {
    throw new Error(
      `causalAttention: query [${query.shape}], key [${key.shape}], value [${value.shape}] do not fit ${heads} heads, ${kvHeads} key/value heads and length ${length}`,
    );
  }
  const attrs = { heads, kvHeads, length, scale: 1 / Math.sqrt(headDim) };
  const op = tf.customGrad((...args) => {
    const [query, key, value, save] = args as [
      tf.Tensor2D,
      tf.Tensor2D,
      tf.Tensor2D,
      tf.GradSaveFunc,
    ];
    const [out, probabilities] = run(kernelNames.causalAttention, { query, key, value }, attrs) as [
      tf.Tensor2D,
      tf.Tensor4D,
    ];
    save([query, key, value, probabilities]);
    return {
      value: out,
      gradFunc: (dy, saved) => {
        const [query, key, value, probabilities] = saved as [
          tf.Tensor,
          tf.Tensor,
          tf.Tensor,
          tf.Tensor,
        ];
        return run(
          kernelNames.causalAttentionGrad,
          { dy: dy as tf.Tensor, query, key, value, probabilities },
          attrs,
        ) as tf.Tensor[];
      },
    };
  });
  return op(query, key, value) as tf.Tensor2D;
}

/**
 * Mean cross-entropy of logits [rows, classes] against int32 target classes [rows], and its
 * gradient (softmax - one-hot) / rows, as tensors without a gradient of their own: for ops that
 * apply the gradient themselves (softmaxCrossEntropy below; core's chunked head loss).
 */
export function softmaxCrossEntropyAndGradient(
  logits: tf.Tensor2D,
  targets: tf.Tensor1D,
): [tf.Scalar, tf.Tensor2D] {
  checkFloat32("softmaxCrossEntropy", { logits });
  if (targets.dtype !== "int32" || targets.rank !== 1 || targets.shape[0] !== logits.shape[0]) {
    throw new Error(
      `softmaxCrossEntropy: targets must be int32 [${logits.shape[0]}], got ${targets.dtype} [${targets.shape}]`,
    );
  }
  return run(kernelNames.softmaxCrossEntropy, { logits, targets }) as [tf.Scalar, tf.Tensor2D];
}

/** Mean cross-entropy of logits [rows, classes] against int32 target classes [rows]. */
export function softmaxCrossEntropy(logits: tf.Tensor2D, targets: tf.Tensor1D): tf.Scalar {
  const op = tf.customGrad((...args) => {
    const [logits, save] = args as [tf.Tensor2D, tf.GradSaveFunc];
    // The kernel computes the gradient (softmax - one-hot) / rows along with the loss.
    const [loss, dlogits] = softmaxCrossEntropyAndGradient(logits, targets);
    save([dlogits]);
    return {
      value: loss,
      gradFunc: (dy, saved) => [tf.mul(saved[0] as tf.Tensor, dy as tf.Tensor)],
    };
  });
  return op(logits) as tf.Scalar;
}

/** One Adam(W) step's constants; see adamUpdate. */
export interface AdamStep {
  beta1: number;
  beta2: number;
  epsilon: number;
  /** learningRate / (1 - β1^t) */
  stepSize: number;
  /** √(1 - β2^t) */
  biasCorrection2Root: number;
  /** 1 - learningRate · weightDecay for AdamW's decayed parameters, else 1. */
  decay: number;
}

/**
 * Adam(W), as torch.optim: m ← β1·m + (1-β1)·g, v ← β2·v + (1-β2)·g², parameter ←
 * parameter·decay - stepSize · m / (√v / √(1-β2^t) + ε). Returns the new parameter, m and v.
 */
export function adamUpdate(
  parameter: tf.Tensor,
  gradient: tf.Tensor,
  m: tf.Tensor,
  v: tf.Tensor,
  step: AdamStep,
): [tf.Tensor, tf.Tensor, tf.Tensor] {
  checkAdamInputs(parameter, gradient, m, v);
  return run(kernelNames.adam, { parameter, gradient, m, v }, { ...step }) as [
    tf.Tensor,
    tf.Tensor,
    tf.Tensor,
  ];
}

/** One parameter of an in-place Adam(W) step: its gradient, moments and decay. */
export interface AdamSlots {
  parameter: tf.Variable;
  gradient: tf.Tensor;
  m: tf.Variable;
  v: tf.Variable;
  /** 1 - learningRate · weightDecay for AdamW's decayed parameters, else 1. */
  decay: number;
}

/**
 * adamUpdate for every parameter at once, written over the parameters and their moments: one
 * kernel instead of one per parameter plus three assigns each, which cost more than the update
 * itself on a small model. A variable whose memory another tensor shares (a clone of it, or the
 * tensor it was assigned) gets new memory instead, so that the other tensor keeps its values.
 */
export function adamUpdateInPlace(slots: AdamSlots[], step: Omit<AdamStep, "decay">) {
  const backend = tf.backend() as BackendWasm;
  const ownsItsMemory = (tensor: tf.Tensor) => backend.refCount(tensor.dataId) === 1;
  const tensors: tf.Tensor[] = [];
  const decays: number[] = [];
  for (const { parameter, gradient, m, v, decay } of slots) {
    checkAdamInputs(parameter, gradient, m, v);
    if (ownsItsMemory(parameter) && ownsItsMemory(m) && ownsItsMemory(v)) {
      tensors.push(parameter, gradient, m, v);
      decays.push(decay);
    } else {
      tf.tidy(() => {
        const [parameterOut, mOut, vOut] = adamUpdate(parameter, gradient, m, v, {
          ...step,
          decay,
        });
        parameter.assign(parameterOut);
        m.assign(mOut);
        v.assign(vOut);
      });
    }
  }
  // The inputs named by their position: parameter, gradient, m, v of each slot in turn.
  run(kernelNames.adamInPlace, Object.fromEntries(tensors.entries()), { ...step, decays });
}

function checkAdamInputs(parameter: tf.Tensor, gradient: tf.Tensor, m: tf.Tensor, v: tf.Tensor) {
  for (const [name, tensor] of [
    ["parameter", parameter],
    ["gradient", gradient],
    ["m", m],
    ["v", v],
  ] as const) {
    if (tensor.dtype !== "float32") {
      throw new Error(`adamUpdate: ${name} must be float32, got ${tensor.dtype}`);
    }
    if (!tf.util.arraysEqual(tensor.shape, parameter.shape)) {
      throw new Error(
        `adamUpdate: ${name} [${tensor.shape}] differs from the parameter [${parameter.shape}]`,
      );
    }
  }
}

/** The L2 norm of all the tensors' elements together, as a scalar. */
export function globalNorm(tensors: tf.Tensor[]): tf.Scalar {
  const inputs = Object.fromEntries(tensors.map((tensor, i) => [`tensor${i}`, tensor]));
  checkFloat32("globalNorm", inputs);
  return run(kernelNames.globalNorm, inputs) as tf.Scalar;
}

function checkFloat32(op: string, tensors: Record<string, tf.Tensor>) {
  for (const [name, tensor] of Object.entries(tensors)) {
    if (tensor.dtype !== "float32")
      throw new Error(`${op}: ${name} must be float32, got ${tensor.dtype}`);
  }
}
