/**
 * Rotary position embedding (Su et al. 2021) in the GPT-NeoX and Hugging Face Llama layout
 * (`rotate_half`, not interleaved): in each head of size s, feature i < s/2 pairs with i + s/2, and
 * the pair turns by the angle position · θ^(-2i/s), θ being the config's ropeTheta.
 */
import * as tf from "@tensorflow/tfjs";

/** The angles' cosines and sines [rows, size] for each row's position (each half repeats them). */
export function rotaryTables(
  positions: Int32Array,
  size: number,
  theta: number,
): { cos: Float32Array; sin: Float32Array } {
  const half = size / 2;
  const cos = new Float32Array(positions.length * size);
  const sin = new Float32Array(positions.length * size);
  positions.forEach((position, row) => {
    for (let i = 0; i < size; i++) {
      const angle = position * theta ** (-(i % half) / half);
      cos[row * size + i] = Math.cos(angle);
      sin[row * size + i] = Math.sin(angle);
    }
  });
  return { cos, sin };
}

/** Rotates every head of m [rows, heads·size], row r at position positions[r]. */
export function rotate(
  m: tf.Tensor2D,
  positions: Int32Array,
  size: number,
  theta: number,
): tf.Tensor2D {
  const [rows, width] = m.shape;
  const heads = width / size;
  const half = size / 2;
  const { cos, sin } = rotaryTables(positions, size, theta);
  const x = tf.reshape(m, [rows, heads, size]);
  const first = tf.slice(x, [0, 0, 0], [rows, heads, half]);
  const second = tf.slice(x, [0, 0, half], [rows, heads, half]);
  // rotate_half: (x₁, x₂) -> (-x₂, x₁).
  const rotatedHalves = tf.concat([tf.neg(second), first], 2);
  const rotated = tf.add(
    tf.mul(x, tf.tensor3d(cos, [rows, 1, size])),
    tf.mul(rotatedHalves, tf.tensor3d(sin, [rows, 1, size])),
  );
  return tf.reshape(rotated, [rows, width]);
}
