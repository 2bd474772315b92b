/**
 * Rotary position embedding (Su et al. 2021) in the GPT-NeoX and Hugging Face Llama layout
 * (`rotate_half`, not interleaved): in each head of size s, feature i < s/2 pairs with i + s/2, and
 * the pair turns by the angle position · θ^(-2i/s), θ being the config's ropeTheta.
 *
 * rotate_half, (x₁, x₂) -> (-x₂, x₁) in every head, is written as a product of each head with a
 * fixed [size, size] matrix, and the angles as tables of the input's shape: the whole rotation is
 * one plain matmul and same-shape products, the fast paths of ops.ts (slices and concatenations of
 * heads, and their gradients, are slow loops on the wasm backend).
 */
import * as tf from "@tensorflow/tfjs";
import { matmul } from "./ops.ts";

/** cos and sin of every feature's angle [rows, heads·size], row r at position positions[r]. */
function angleTables(positions: Int32Array, heads: number, size: number, theta: number) {
  const half = size / 2;
  const width = heads * size;
  const frequencies = Array.from({ length: half }, (_, i) => theta ** (-i / half));
  const cos = new Float32Array(positions.length * width);
  const sin = new Float32Array(positions.length * width);
  positions.forEach((position, row) => {
    const start = row * width;
    for (let i = 0; i < half; i++) {
      const angle = position * (frequencies[i] as number);
      [cos[start + i], sin[start + i]] = [Math.cos(angle), Math.sin(angle)];
    }
    // Both halves of every head turn by the same angles.
    cos.copyWithin(start + half, start, start + half);
    sin.copyWithin(start + half, start, start + half);
    for (let head = 1; head < heads; head++) {
      cos.copyWithin(start + head * size, start, start + size);
      sin.copyWithin(start + head * size, start, start + size);
    }
  });
  const shape: [number, number] = [positions.length, width];
  return { cos: tf.tensor2d(cos, shape), sin: tf.tensor2d(sin, shape) };
}

/** The [size, size] matrix P with x·P = rotate_half(x) for one head x of `size` features. */
function rotateHalfMatrix(size: number): tf.Tensor2D {
  const half = size / 2;
  const matrix = new Float32Array(size * size);
  for (let i = 0; i < half; i++) {
    matrix[(i + half) * size + i] = -1; // output i = -x₂
    matrix[i * size + i + half] = 1; // output i + half = x₁
  }
  return tf.tensor2d(matrix, [size, size]);
}

/** Rotates every head of m [rows, heads·size], row r at position positions[r]. */
export function rotate(
  m: tf.Tensor2D,
  positions: Int32Array,
  size: number,
  theta: number,
): tf.Tensor2D {
  const [rows, width] = m.shape;
  const { cos, sin } = angleTables(positions, width / size, size, theta);
  // One head per row: [rows, heads·size] is [rows·heads, size] in the same memory.
  const byHead = tf.reshape(m, [rows * (width / size), size]) as tf.Tensor2D;
  const halvesRotated = tf.reshape(matmul(byHead, rotateHalfMatrix(size)), [rows, width]);
  return tf.add(tf.mul(m, cos), tf.mul(halvesRotated, sin));
}
