/**
 * The language model's loss without its logits: the output head's projection and the cross-entropy
 * as one op that goes through the rows a chunk at a time, so that neither the logits [rows, vocab]
 * nor their gradient ever exists whole (at GPT-2's vocabulary and a batch of 1,024 tokens, 206 MB
 * each, the largest tensors of a training step). When a gradient is being taken, each chunk's
 * gradients (with respect to the hidden states and, when it trains, the head weight) are computed
 * from its logits right away, so the logits are made once, as Liger Kernel's fused linear
 * cross-entropy does (Wijmans et al. 2024, "Cut Your Losses in Large-Vocabulary Language Models",
 * recompute them in the backward pass instead, which costs the head's product again).
 *
 * The plain formulation, the logits and then softmaxCrossEntropy (ops.ts), computes the same; the
 * tests hold this one to it.
 */
import * as tf from "@tensorflow/tfjs";
import { product } from "./frozen-ops.ts";
import { isFrozen } from "./frozen-weights.ts";
import { embeddingLookup, softmaxCrossEntropyAndGradient, trainedRows } from "./ops.ts";

/** The output head: weight [dModel, vocab], or the tied token embedding [vocab, dModel] (transposed). */
export interface Head {
  weight: tf.Tensor2D;
  transposed: boolean;
}

/**
 * Rows per chunk by default: about 64 MB of float32 logits. Measured at GPT-2 small's shape
 * (1,024 rows): half that saved no memory and took longer (each product packs the head weight
 * again), twice that took 150 MB more.
 */
export function defaultChunkRows(vocab: number): number {
  return Math.max(1, Math.floor(2 ** 24 / vocab));
}

/**
 * Mean cross-entropy of the logits hidden·head against targets [rows], computed at most
 * `chunkRows` rows at a time. A frozen head weight gets no gradient, and costs none of its product.
 */
export function headCrossEntropy(
  hidden: tf.Tensor2D,
  head: Head,
  targets: Int32Array,
  chunkRows = defaultChunkRows(vocabOf(head)),
): tf.Scalar {
  const [rows, width] = hidden.shape;
  if (targets.length !== rows) throw new Error(`${targets.length} targets for ${rows} rows`);
  if (!(Number.isInteger(chunkRows) && chunkRows >= 1)) {
    throw new Error(`chunkRows must be a positive whole number, got ${chunkRows}`);
  }
  const weight = head.weight;
  const trainsWeight = !isFrozen(weight);
  // As few chunks as chunkRows allows, of even sizes: every product's operand packing (a cost per
  // product that a chunk of few rows amortizes badly) repeats once per chunk.
  const count = Math.ceil(rows / chunkRows);
  const chunks = Array.from({ length: count }, (_, i) => {
    const [start, end] = [Math.floor((i * rows) / count), Math.floor(((i + 1) * rows) / count)];
    return { start, size: end - start, targets: targets.subarray(start, end) };
  });
  // A chunk's share of the rows, its share of the mean loss, and its own mean loss's gradient
  // with respect to its logits.
  const chunkLoss = (x: tf.Tensor2D, chunk: (typeof chunks)[number]) => {
    const xChunk = tf.slice(x, [chunk.start, 0], [chunk.size, width]);
    const [loss, dlogits] = softmaxCrossEntropyAndGradient(
      product(xChunk, weight, false, head.transposed),
      tf.tensor1d(chunk.targets, "int32"),
    );
    const share = chunk.size / rows;
    return { xChunk, share, loss: tf.mul(loss, share) as tf.Scalar, dlogits };
  };
  // Whether a gradient tape records this op (tfjs's engine.isTapeOn); if not, the loss alone.
  const { gradientDepth, kernelDepth } = tf.engine().state;
  if (gradientDepth === 0 || kernelDepth > 0) {
    return tf.tidy(() =>
      tf.addN(chunks.map((chunk) => tf.tidy(() => chunkLoss(hidden, chunk).loss))),
    );
  }
  // The loss and its gradients together, each chunk's logits made once. The gradients are
  // hidden's [rows, dModel] and, when it trains, the head weight's.
  const lossAndGradients = (x: tf.Tensor2D) => {
    const losses: tf.Scalar[] = [];
    const dx: tf.Tensor2D[] = [];
    let dweight: tf.Tensor2D | undefined;
    for (const chunk of chunks) {
      const [loss, dxChunk, dweightSum] = tf.tidy(() => {
        const { xChunk, share, loss, dlogits } = chunkLoss(x, chunk);
        // The share scales the small factors of each product, not the chunk's [size, vocab].
        const dxChunk = tf.mul(product(dlogits, weight, false, !head.transposed), share);
        if (!trainsWeight) return [loss, dxChunk];
        const sharedX = tf.mul(xChunk, share) as tf.Tensor2D;
        const dweightChunk = head.transposed
          ? product(dlogits, sharedX, true, false)
          : product(sharedX, dlogits, true, false);
        return [
          loss,
          dxChunk,
          dweight === undefined ? dweightChunk : tf.add(dweight, dweightChunk),
        ];
      });
      losses.push(loss as tf.Scalar);
      dx.push(dxChunk as tf.Tensor2D);
      dweight?.dispose();
      dweight = dweightSum as tf.Tensor2D | undefined;
    }
    const loss = tf.addN(losses) as tf.Scalar;
    const dxWhole = tf.concat(dx);
    tf.dispose([...losses, ...dx]);
    return { loss, gradients: dweight === undefined ? [dxWhole] : [dxWhole, dweight] };
  };

  // A trained weight is an input of the op, which gives it its gradient.
  const op = tf.customGrad((...args) => {
    const [x, save] = [args[0], args.at(-1)] as [tf.Tensor2D, tf.GradSaveFunc];
    const { loss, gradients } = lossAndGradients(x);
    save(gradients);
    return {
      value: loss,
      gradFunc: (dy, saved) => saved.map((gradient) => tf.mul(gradient, dy)),
    };
  });
  return (trainsWeight ? op(hidden, weight) : op(hidden)) as tf.Scalar;
}

/**
 * headCrossEntropy over the rows where mask [rows] is 1 only: those rows of hidden are gathered
 * first (embeddingLookup, whose gradient scatters back), so the other rows get exactly zero gradient.
 */
export function maskedHeadCrossEntropy(
  hidden: tf.Tensor2D,
  head: Head,
  targets: Int32Array,
  mask: ArrayLike<number>,
  chunkRows?: number,
): tf.Scalar {
  const rows = trainedRows(mask);
  return headCrossEntropy(
    embeddingLookup(hidden, tf.tensor1d(rows, "int32")),
    head,
    Int32Array.from(rows, (row) => targets[row] as number),
    chunkRows,
  );
}

function vocabOf(head: Head): number {
  return head.weight.shape[head.transposed ? 0 : 1];
}
