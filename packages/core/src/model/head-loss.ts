/**
 * The language model's loss without its logits: the output head's projection and the cross-entropy
 * as one op that goes through the rows a chunk at a time, so that neither the logits [rows, vocab]
 * nor their gradient ever exists whole (at GPT-2's vocabulary and a batch of 1,024 tokens, 206 MB
 * each, the largest tensors of a training step). The backward pass recomputes each chunk's logits,
 * as Wijmans et al. 2024 ("Cut Your Losses in Large-Vocabulary Language Models") and Liger Kernel's
 * fused linear cross-entropy do.
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

/** Rows per chunk by default: about 32 MB of float32 logits. */
export function defaultChunkRows(vocab: number): number {
  return Math.max(1, Math.floor(2 ** 23 / vocab));
}

/**
 * Mean cross-entropy of the logits hidden·head against targets [rows], computed `chunkRows` rows at
 * a time. A frozen head weight gets no gradient, and costs none of its product.
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
  const chunks = Array.from({ length: Math.ceil(rows / chunkRows) }, (_, i) => {
    const start = i * chunkRows;
    const size = Math.min(chunkRows, rows - start);
    return { start, size, targets: targets.subarray(start, start + size) };
  });
  type Chunk = (typeof chunks)[number];
  const rowsOf = (x: tf.Tensor2D, chunk: Chunk) =>
    tf.slice(x, [chunk.start, 0], [chunk.size, width]);
  const logitsOf = (x: tf.Tensor2D) => product(x, weight, false, head.transposed);
  // The chunk's share of the mean loss, and (when asked) its gradient with respect to the chunk's
  // logits times dy.
  const chunkLoss = (x: tf.Tensor2D, chunk: Chunk, dy?: tf.Tensor) => {
    const [loss, dlogits] = softmaxCrossEntropyAndGradient(
      logitsOf(rowsOf(x, chunk)),
      tf.tensor1d(chunk.targets, "int32"),
    );
    const share = chunk.size / rows;
    if (dy === undefined) return tf.mul(loss, share);
    return tf.mul(dlogits, tf.mul(dy, share)) as tf.Tensor2D;
  };

  const forward = (x: tf.Tensor2D) =>
    tf.tidy(() => tf.addN(chunks.map((chunk) => tf.tidy(() => chunkLoss(x, chunk)))) as tf.Scalar);
  const backward = (dy: tf.Tensor, x: tf.Tensor2D, trainsWeight: boolean) => {
    const dx: tf.Tensor2D[] = [];
    let dweight: tf.Tensor2D | undefined;
    for (const chunk of chunks) {
      const [dxChunk, dweightSum] = tf.tidy(() => {
        const dlogits = chunkLoss(x, chunk, dy) as tf.Tensor2D;
        const dxChunk = product(dlogits, weight, false, !head.transposed);
        if (!trainsWeight) return [dxChunk];
        const xChunk = rowsOf(x, chunk);
        const dweightChunk = head.transposed
          ? product(dlogits, xChunk, true, false)
          : product(xChunk, dlogits, true, false);
        return [dxChunk, dweight === undefined ? dweightChunk : tf.add(dweight, dweightChunk)];
      });
      dx.push(dxChunk as tf.Tensor2D);
      dweight?.dispose();
      dweight = dweightSum as tf.Tensor2D | undefined;
    }
    const dxWhole = tf.concat(dx);
    tf.dispose(dx);
    return dweight === undefined ? [dxWhole] : [dxWhole, dweight];
  };

  if (isFrozen(weight)) {
    const op = tf.customGrad((...args) => {
      const [x, save] = args as [tf.Tensor2D, tf.GradSaveFunc];
      save([x]);
      return {
        value: forward(x),
        gradFunc: (dy, saved) => backward(dy as tf.Tensor, saved[0] as tf.Tensor2D, false),
      };
    });
    return op(hidden) as tf.Scalar;
  }
  const op = tf.customGrad((...args) => {
    // The weight is read where it is (it is the same tensor in both passes), not saved.
    const [x, , save] = args as [tf.Tensor2D, tf.Tensor2D, tf.GradSaveFunc];
    save([x]);
    return {
      value: forward(x),
      gradFunc: (dy, saved) => backward(dy as tf.Tensor, saved[0] as tf.Tensor2D, true),
    };
  });
  return op(hidden, weight) as tf.Scalar;
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
