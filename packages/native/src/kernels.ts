/**
 * The native kernels, registered with tf.registerKernel on the wasm backend. Each allocates its
 * outputs on the backend's heap, then hands the addon the heap and byte offsets, so the addon
 * reads and writes the tensors in place. The heap is read only after the last allocation: an
 * allocation can grow the wasm memory, which detaches the previous ArrayBuffer.
 *
 * Shapes are checked by the ops that run these kernels (ops.ts); the addon checks every offset
 * and size against the heap's bounds.
 */
import * as tf from "@tensorflow/tfjs";
import type { BackendWasm } from "@tensorflow/tfjs-backend-wasm";
import type { Addon } from "./addon.ts";

export const kernelNames = {
  matMul: "AttuneMatMul",
  linear: "AttuneLinear",
  linearGrad: "AttuneLinearGrad",
  queryKeyValue: "AttuneQueryKeyValue",
  queryKeyValueGrad: "AttuneQueryKeyValueGrad",
  layerNorm: "AttuneLayerNorm",
  addLayerNorm: "AttuneAddLayerNorm",
  layerNormGrad: "AttuneLayerNormGrad",
  gelu: "AttuneGelu",
  geluGrad: "AttuneGeluGrad",
  geluMlp: "AttuneGeluMlp",
  geluMlpGrad: "AttuneGeluMlpGrad",
  causalAttention: "AttuneCausalAttention",
  causalAttentionGrad: "AttuneCausalAttentionGrad",
  softmaxCrossEntropy: "AttuneSoftmaxCrossEntropy",
  adam: "AttuneAdam",
  adamInPlace: "AttuneAdamInPlace",
  gather: "AttuneGather",
  scatterAdd: "AttuneScatterAdd",
  globalNorm: "AttuneGlobalNorm",
} as const;

type Inputs = Record<string, tf.TensorInfo>;
type Attributes = Record<string, number | boolean | number[]>;
type Kernel = (inputs: Inputs, attrs: Attributes) => tf.TensorInfo | tf.TensorInfo[];

/**
 * Registers every kernel once per process (the registry is global; later calls keep it), and
 * replaces three of the wasm backend's own: Identity, with one that shares its input's memory, and
 * Transpose and Add, with native ones.
 */
export function registerKernels(addon: Addon) {
  if (tf.getKernel(kernelNames.matMul, "wasm") !== undefined) return;
  for (const [kernelName, kernel] of Object.entries(kernels(addon))) {
    tf.registerKernel({
      kernelName,
      backendName: "wasm",
      kernelFunc: ({ inputs, attrs }) =>
        freeingOnError(() => kernel(inputs as Inputs, (attrs ?? {}) as Attributes)),
    });
  }
  replaceWasmKernel("Identity", () => sharedIdentity);
  replaceWasmKernel("Transpose", (wasmTranspose) => nativeTranspose(addon, wasmTranspose));
  replaceWasmKernel("Add", (wasmAdd) => nativeAdd(addon, wasmAdd));
}

/** Replaces a kernel of the wasm backend, keeping its set-up (the original may still run). */
function replaceWasmKernel(
  kernelName: string,
  replacement: (original: tf.KernelFunc) => tf.KernelFunc,
) {
  const original = tf.getKernel(kernelName, "wasm");
  tf.unregisterKernel(kernelName, "wasm");
  tf.registerKernel({ ...original, kernelFunc: replacement(original.kernelFunc) });
}

/**
 * The wasm backend's Transpose runs a generic element loop, slow on attention's head splits (4% of
 * a training step). This one moves 4-byte elements up to rank 4, whole rows at a time where they
 * stay contiguous, and hands anything else to the original.
 */
function nativeTranspose(addon: Addon, wasmTranspose: tf.KernelFunc): tf.KernelFunc {
  return (args) => {
    const x = input(args.inputs.x);
    const perm = (args.attrs as { perm: number[] }).perm;
    const fourBytes = x.dtype === "float32" || x.dtype === "int32";
    if (!fourBytes || x.shape.length > 4 || size(x) === 0) return wasmTranspose(args);
    // As a [d0, d1, d2, d3] tensor: leading dimensions of 1 that stay in place.
    const padding = 4 - x.shape.length;
    const dims = [...new Array<number>(padding).fill(1), ...x.shape];
    const axes = [...dims.keys()].slice(0, padding).concat(perm.map((axis) => axis + padding));
    const [d0, d1, d2, d3] = dims as [number, number, number, number];
    const [p0, p1, p2, p3] = axes as [number, number, number, number];
    return freeingOnError(() => {
      const out = allocate(
        perm.map((axis) => x.shape[axis] as number),
        x.dtype,
      );
      addon.transpose(heap(), offset(x), offset(out), d0, d1, d2, d3, p0, p1, p2, p3);
      return out;
    });
  };
}

/**
 * The residual stream and the gradients that backpropagation sums are same-shaped float32 adds,
 * several times faster natively; broadcasting and other types go to the original.
 */
function nativeAdd(addon: Addon, wasmAdd: tf.KernelFunc): tf.KernelFunc {
  return (args) => {
    const [a, b] = [input(args.inputs.a), input(args.inputs.b)];
    const sameShape = tf.util.arraysEqual(a.shape, b.shape);
    if (a.dtype !== "float32" || b.dtype !== "float32" || !sameShape || size(a) === 0) {
      return wasmAdd(args);
    }
    return freeingOnError(() => {
      const out = allocate(a.shape);
      addon.add(heap(), offset(a), offset(b), offset(out), size(a));
      return out;
    });
  };
}

/** The outputs the running kernel has allocated: freed if it throws (on invalid ids, say). */
let allocated: tf.TensorInfo[] = [];

function freeingOnError<T>(kernel: () => T): T {
  allocated = [];
  try {
    return kernel();
  } catch (error) {
    for (const output of allocated) backend().disposeData(output.dataId, true);
    throw error;
  }
}

/**
 * tf clones every tensor that a gradient saves, and the wasm backend's Identity copies the data.
 * Tensors are immutable, so the clone can share the memory, counted by reference, as the cpu
 * backend's Identity does.
 */
function sharedIdentity({ inputs }: { inputs: tf.NamedTensorInfoMap }): tf.TensorInfo {
  const x = input(inputs.x);
  backend().incRef(x.dataId);
  return { dataId: x.dataId, shape: x.shape, dtype: x.dtype };
}

/** The projections of the queryKeyValue kernel, in the order of its outputs. */
export const projections = ["query", "key", "value"] as const;

function kernels(addon: Addon): Record<string, Kernel> {
  return {
    // a [batch?, m, k] · b [batch?, k, n], either transposed (then stored as [.., k, m] / [.., n, k]).
    [kernelNames.matMul]: ({ a, b }, { transposeA, transposeB }) => {
      const [m, k] = matrixShape(input(a), Boolean(transposeA));
      const [, n] = matrixShape(input(b), Boolean(transposeB));
      const batchShape = input(a).shape.slice(0, -2);
      const c = allocate([...batchShape, m, n]);
      addon.gemm(
        heap(),
        batchShape.reduce((product, size) => product * size, 1),
        Boolean(transposeA),
        Boolean(transposeB),
        m,
        n,
        k,
        offset(a),
        offset(b),
        offset(c),
      );
      return c;
    },

    [kernelNames.linear]: ({ x, weight, bias }) => {
      const [rows, inputs, outputs] = linearShape(input(x), input(weight));
      const out = allocate([rows, outputs]);
      addon.linear(
        heap(),
        offset(x),
        offset(weight),
        offset(bias),
        offset(out),
        rows,
        inputs,
        outputs,
      );
      return out;
    },

    [kernelNames.linearGrad]: ({ dy, x, weight }) => {
      const [rows, inputs, outputs] = linearShape(input(x), input(weight));
      const [dx, dweight, dbias] = [
        allocate([rows, inputs]),
        allocate([inputs, outputs]),
        allocate([outputs]),
      ];
      addon.linearBackward(
        heap(),
        offset(dy),
        offset(x),
        offset(weight),
        offset(dx),
        offset(dweight),
        offset(dbias),
        rows,
        inputs,
        outputs,
        false,
      );
      return [dx, dweight, dbias];
    },

    // Three linears of the same x (attention's query, key and value projections): inputs x and
    // <name>Weight, <name>Bias for each name of `projections`; outputs in that order.
    [kernelNames.queryKeyValue]: (inputs) => {
      const x = input(inputs.x);
      const weights = projections.map((name) => input(inputs[`${name}Weight`]));
      const outputs = weights.map((weight) =>
        allocate([x.shape[0] as number, weight.shape[1] as number]),
      );
      const memory = heap();
      projections.forEach((name, i) => {
        const weight = weights[i] as tf.TensorInfo;
        addon.linear(
          memory,
          offset(x),
          offset(weight),
          offset(inputs[`${name}Bias`]),
          offset(outputs[i]),
          ...linearShape(x, weight),
        );
      });
      return outputs;
    },

    // Inputs d<name> (each output's gradient), x and <name>Weight; outputs dx (the three products
    // summed by BLAS), then d<name>Weight and d<name>Bias for each name in turn.
    [kernelNames.queryKeyValueGrad]: (inputs) => {
      const x = input(inputs.x);
      const weights = projections.map((name) => input(inputs[`${name}Weight`]));
      const dx = allocate(x.shape);
      const gradients = weights.map((weight) => [
        allocate(weight.shape),
        allocate([weight.shape[1] as number]),
      ]);
      const memory = heap();
      projections.forEach((name, i) => {
        const weight = weights[i] as tf.TensorInfo;
        const [dweight, dbias] = gradients[i] as [tf.TensorInfo, tf.TensorInfo];
        addon.linearBackward(
          memory,
          offset(inputs[`d${name}`]),
          offset(x),
          offset(weight),
          offset(dx),
          offset(dweight),
          offset(dbias),
          ...linearShape(x, weight),
          i > 0,
        );
      });
      return [dx, ...gradients.flat()];
    },

    [kernelNames.layerNorm]: ({ x, gain, bias }, { epsilon }) => {
      const [rows, width] = input(x).shape as [number, number];
      const [out, mean, inverseStd] = [allocate([rows, width]), allocate([rows]), allocate([rows])];
      addon.layerNorm(
        heap(),
        offset(x),
        offset(gain),
        offset(bias),
        offset(out),
        offset(mean),
        offset(inverseStd),
        rows,
        width,
        Number(epsilon),
      );
      return [out, mean, inverseStd];
    },

    // a + b, and the LayerNorm of that sum: the residual stream's add fused with the norm that
    // reads it.
    [kernelNames.addLayerNorm]: ({ a, b, gain, bias }, { epsilon }) => {
      const [rows, width] = input(a).shape as [number, number];
      const [sum, out] = [allocate([rows, width]), allocate([rows, width])];
      const [mean, inverseStd] = [allocate([rows]), allocate([rows])];
      addon.addLayerNorm(
        heap(),
        offset(a),
        offset(b),
        offset(sum),
        offset(gain),
        offset(bias),
        offset(out),
        offset(mean),
        offset(inverseStd),
        rows,
        width,
        Number(epsilon),
      );
      return [sum, out, mean, inverseStd];
    },

    // With dsum (the gradient that reaches an addLayerNorm's sum directly), dx includes it.
    [kernelNames.layerNormGrad]: ({ dy, x, gain, mean, inverseStd, dsum }) => {
      const [rows, width] = input(x).shape as [number, number];
      const [dx, dgain, dbias] = [allocate([rows, width]), allocate([width]), allocate([width])];
      addon.layerNormBackward(
        heap(),
        offset(dy),
        offset(x),
        offset(gain),
        offset(mean),
        offset(inverseStd),
        dsum === undefined ? null : offset(dsum),
        offset(dx),
        offset(dgain),
        offset(dbias),
        rows,
        width,
      );
      return [dx, dgain, dbias];
    },

    [kernelNames.gelu]: ({ x }) => {
      const out = allocate(input(x).shape);
      addon.gelu(heap(), offset(x), offset(out), size(input(x)));
      return out;
    },

    [kernelNames.geluGrad]: ({ dy, x }) => {
      const dx = allocate(input(x).shape);
      addon.geluBackward(heap(), offset(dy), offset(x), offset(dx), size(input(x)));
      return dx;
    },

    // The MLP gelu(x·w1 + b1)·w2 + b2; outputs it, then its hidden layer before and after GELU
    // (kept for the gradient).
    [kernelNames.geluMlp]: ({ x, w1, b1, w2, b2 }) => {
      const [rows, inputs, width] = linearShape(input(x), input(w1));
      const outputs = input(w2).shape[1] as number;
      const out = allocate([rows, outputs]);
      const [hidden, activated] = [allocate([rows, width]), allocate([rows, width])];
      const memory = heap();
      addon.linear(memory, offset(x), offset(w1), offset(b1), offset(hidden), rows, inputs, width);
      addon.gelu(memory, offset(hidden), offset(activated), rows * width);
      addon.linear(
        memory,
        offset(activated),
        offset(w2),
        offset(b2),
        offset(out),
        rows,
        width,
        outputs,
      );
      return [out, hidden, activated];
    },

    // Back through the MLP's three steps; the hidden layer's gradient goes through GELU in place.
    [kernelNames.geluMlpGrad]: ({ dy, x, w1, w2, hidden, activated }) => {
      const [rows, inputs, width] = linearShape(input(x), input(w1));
      const outputs = input(w2).shape[1] as number;
      const [dx, dw1, db1] = [
        allocate([rows, inputs]),
        allocate([inputs, width]),
        allocate([width]),
      ];
      const [dw2, db2] = [allocate([width, outputs]), allocate([outputs])];
      const dhidden = allocate([rows, width]);
      const memory = heap();
      addon.linearBackward(
        memory,
        offset(dy),
        offset(activated),
        offset(w2),
        offset(dhidden),
        offset(dw2),
        offset(db2),
        rows,
        width,
        outputs,
        false,
      );
      addon.geluBackward(memory, offset(dhidden), offset(hidden), offset(dhidden), rows * width);
      addon.linearBackward(
        memory,
        offset(dhidden),
        offset(x),
        offset(w1),
        offset(dx),
        offset(dw1),
        offset(db1),
        rows,
        inputs,
        width,
        false,
      );
      backend().disposeData(dhidden.dataId, true);
      return [dx, dw1, db1, dw2, db2];
    },

    // query [batch·length, heads·headDim], key and value [batch·length, kvHeads·headDim]; the
    // probabilities, kept for the gradient, are [batch, heads, key, query].
    [kernelNames.causalAttention]: ({ query, key, value }, attrs) => {
      const shape = attentionShape(input(query), attrs);
      const { batch, heads, length } = shape;
      const [out, probabilities] = [
        allocate(input(query).shape),
        allocate([batch, heads, length, length]),
      ];
      addon.attention(
        heap(),
        offset(query),
        offset(key),
        offset(value),
        offset(out),
        offset(probabilities),
        ...attentionArguments(shape),
        Number(attrs.scale),
      );
      return [out, probabilities];
    },

    [kernelNames.causalAttentionGrad]: ({ dy, query, key, value, probabilities }, attrs) => {
      const shape = attentionShape(input(query), attrs);
      const dquery = allocate(input(query).shape);
      const [dkey, dvalue] = [allocate(input(key).shape), allocate(input(value).shape)];
      addon.attentionBackward(
        heap(),
        offset(dy),
        offset(query),
        offset(key),
        offset(value),
        offset(probabilities),
        offset(dquery),
        offset(dkey),
        offset(dvalue),
        ...attentionArguments(shape),
        Number(attrs.scale),
      );
      return [dquery, dkey, dvalue];
    },

    // Mean cross-entropy of logits [rows, classes] against int32 targets [rows], and its gradient.
    [kernelNames.softmaxCrossEntropy]: ({ logits, targets }) => {
      const [rows, classes] = input(logits).shape as [number, number];
      const [loss, dlogits] = [allocate([]), allocate([rows, classes])];
      addon.softmaxCrossEntropy(
        heap(),
        offset(logits),
        offset(targets),
        offset(loss),
        offset(dlogits),
        rows,
        classes,
      );
      return [loss, dlogits];
    },

    [kernelNames.adam]: ({ parameter, gradient, m, v }, attrs) => {
      const shape = input(parameter).shape;
      const [parameterOut, mOut, vOut] = [allocate(shape), allocate(shape), allocate(shape)];
      addon.adam(
        heap(),
        offset(parameter),
        offset(gradient),
        offset(m),
        offset(v),
        offset(parameterOut),
        offset(mOut),
        offset(vOut),
        size(input(parameter)),
        Number(attrs.beta1),
        Number(attrs.beta2),
        Number(attrs.epsilon),
        Number(attrs.stepSize),
        Number(attrs.biasCorrection2Root),
        Number(attrs.decay),
      );
      return [parameterOut, mOut, vOut];
    },

    // The same update for every parameter, its gradient and moments (inputs 0, 1, 2, 3 for the
    // first, 4, 5, 6, 7 for the second, …) with one decay each, written over the parameters and
    // moments themselves: no outputs.
    [kernelNames.adamInPlace]: (inputs, attrs) => {
      const memory = heap();
      const tensors = Object.values(inputs);
      (attrs.decays as number[]).forEach((decay, i) => {
        const [p, g, m, v] = tensors.slice(4 * i, 4 * i + 4).map(offset) as [
          number,
          number,
          number,
          number,
        ];
        addon.adam(
          memory,
          p,
          g,
          m,
          v,
          p,
          m,
          v,
          size(input(tensors[4 * i])),
          Number(attrs.beta1),
          Number(attrs.beta2),
          Number(attrs.epsilon),
          Number(attrs.stepSize),
          Number(attrs.biasCorrection2Root),
          decay,
        );
      });
      return [];
    },

    // Rows of table [vocab, width] for int32 ids [count].
    [kernelNames.gather]: ({ table, ids }) => {
      const [vocab, width] = input(table).shape as [number, number];
      const count = size(input(ids));
      const out = allocate([count, width]);
      addon.gather(heap(), offset(table), offset(ids), offset(out), count, width, vocab);
      return out;
    },

    [kernelNames.scatterAdd]: ({ dy, ids }, { vocab }) => {
      const [count, width] = input(dy).shape as [number, number];
      const out = allocate([Number(vocab), width]);
      addon.scatterAdd(heap(), offset(dy), offset(ids), offset(out), count, width, Number(vocab));
      return out;
    },

    // √(Σ x²) over every element of every input.
    [kernelNames.globalNorm]: (inputs) => {
      const out = allocate([]);
      const memory = heap();
      let sum = 0;
      for (const tensor of Object.values(inputs)) {
        sum += addon.sumOfSquares(memory, offset(tensor), size(tensor));
      }
      new Float32Array(memory, offset(out), 1)[0] = Math.sqrt(sum);
      return out;
    },
  };
}

function backend(): BackendWasm {
  return tf.backend() as BackendWasm;
}

/** The wasm memory as it is now (its type comes from @types/emscripten, not installed). */
function heap(): ArrayBuffer {
  return (backend().wasm as unknown as { HEAPU8: Uint8Array }).HEAPU8.buffer as ArrayBuffer;
}

function offset(tensor: tf.TensorInfo | undefined): number {
  return backend().dataIdMap.get(input(tensor).dataId).memoryOffset;
}

function allocate(shape: number[], dtype: tf.DataType = "float32"): tf.TensorInfo {
  const output = backend().makeOutput(shape, dtype);
  allocated.push(output);
  return output;
}

function input(tensor: tf.TensorInfo | undefined): tf.TensorInfo {
  if (tensor === undefined) throw new Error("a native kernel was called without one of its inputs");
  return tensor;
}

function size(tensor: tf.TensorInfo): number {
  return tensor.shape.reduce((product, dimension) => product * dimension, 1);
}

/** [rows, columns] of op(matrix): the last two dimensions, swapped when transposed. */
export function matrixShape(tensor: tf.TensorInfo, transposed: boolean): [number, number] {
  const [rows, columns] = tensor.shape.slice(-2) as [number, number];
  return transposed ? [columns, rows] : [rows, columns];
}

function linearShape(x: tf.TensorInfo, weight: tf.TensorInfo): [number, number, number] {
  const [rows, inputs] = x.shape as [number, number];
  return [rows, inputs, weight.shape[1] as number];
}

interface AttentionShape {
  batch: number;
  heads: number;
  kvHeads: number;
  length: number;
  headDim: number;
}

function attentionShape(query: tf.TensorInfo, attrs: Attributes): AttentionShape {
  const [rows, width] = query.shape as [number, number];
  const [heads, kvHeads, length] = [
    Number(attrs.heads),
    Number(attrs.kvHeads),
    Number(attrs.length),
  ];
  return { batch: rows / length, heads, kvHeads, length, headDim: width / heads };
}

/** The shape as the addon takes it: batch, heads, kvHeads, length, headDim. */
function attentionArguments(s: AttentionShape): [number, number, number, number, number] {
  return [s.batch, s.heads, s.kvHeads, s.length, s.headDim];
}
