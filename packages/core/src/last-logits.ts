// The logits generation samples from: after each row's last token.
import * as tf from "@tensorflow/tfjs";
import { type GPT, languageModelLogits } from "./model/gpt.ts";

/** The logits after each row's last token, [rows · vocabSize], for rows of one length. */
export function lastLogits(model: GPT, rows: number[][]): Float32Array {
  const length = (rows[0] as number[]).length;
  const last = tf.tidy(() => {
    const logits = languageModelLogits(model, Int32Array.from(rows.flat()), rows.length);
    return tf.gather(
      logits,
      Int32Array.from(rows, (_, r) => r * length + length - 1),
    );
  });
  // Read outside tf.tidy, which would walk the values it returns one by one.
  try {
    return last.dataSync() as Float32Array;
  } finally {
    last.dispose();
  }
}
