// A checkpoint to generate text from, made here: no trial has to train for it.
import { createTokenizer } from "@attune/core/data";
import { createGPT, disposeGPT } from "@attune/core/model";
import { Random } from "@attune/core/random";
import { saveCheckpoint as encodeCheckpoint, Optimizer } from "@attune/core/train";
import { type Database, saveCheckpoint } from "@attune/db";
import { SAMPLE_JSONL } from "./world.ts";

/**
 * An untrained model's checkpoint, as a trial's last: with a char tokenizer of the world's samples,
 * or a byte tokenizer, which reads any text.
 */
export async function storeCheckpoint(
  db: Database,
  trialId: string,
  tokenizerKind: "char" | "byte" = "char",
) {
  const tokenizer = createTokenizer(tokenizerKind, SAMPLE_JSONL);
  const model = createGPT(
    { vocabSize: tokenizer.vocabSize, seqLen: 16, layers: 1, dModel: 16, heads: 2 },
    3,
  );
  const optimizer = new Optimizer({ kind: "adamw" }, model.parameters);
  const bytes = await encodeCheckpoint({
    model,
    optimizer,
    trainer: { step: 0, tokensSeen: 0, random: new Random(0).getState(), initialLoss: undefined },
    sampler: null,
    tokenizer: tokenizer.toJSON(),
  });
  disposeGPT(model);
  optimizer.dispose();
  await saveCheckpoint(db, {
    trialId,
    kind: "last",
    step: 0,
    data: Buffer.from(bytes),
    sizeBytes: bytes.byteLength,
  });
}
