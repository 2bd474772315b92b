// A checkpoint to generate text from or export, made here: no trial has to train for it.
import { createTokenizer, type Tokenizer } from "@attune/core/data";
import {
  addLora,
  createGPT,
  disposeGPT,
  importHuggingFaceGPT2,
  type LoraConfig,
  type ModelFiles,
} from "@attune/core/model";
import { Random } from "@attune/core/random";
import { disposeWithBase, saveCheckpoint as encodeCheckpoint, Optimizer } from "@attune/core/train";
import { type Database, saveCheckpoint } from "@attune/db";
import * as tf from "@tensorflow/tfjs";
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
  await store(db, trialId, model, tokenizer);
  disposeGPT(model);
}

/**
 * A LoRA checkpoint on the GPT-2 folder `base` (the study's model), as a trial's last: adapters of
 * `lora` whose B, not only A, is random, with a char tokenizer of the world's samples. Returns the
 * adapters' values by name.
 */
export async function storeLoraCheckpoint(
  db: Database,
  trialId: string,
  base: ModelFiles,
  lora: LoraConfig,
): Promise<Map<string, number[]>> {
  const model = addLora(importHuggingFaceGPT2(base), lora, 3);
  const random = new Random(4);
  tf.tidy(() => {
    for (const [name, variable] of model.parameters) {
      if (!name.endsWith(".loraB")) continue;
      const values = Float32Array.from({ length: variable.size }, () => random.normal(0, 0.3));
      variable.assign(tf.tensor(values, variable.shape));
    }
  });
  await store(db, trialId, model, createTokenizer("char", SAMPLE_JSONL), {
    mode: "lora",
    lora,
  });
  const values = new Map([...model.parameters].map(([name, v]) => [name, [...v.dataSync()]]));
  disposeWithBase(model);
  return values;
}

async function store(
  db: Database,
  trialId: string,
  model: Parameters<typeof encodeCheckpoint>[0]["model"],
  tokenizer: Tokenizer,
  finetune?: { mode: "lora"; lora: LoraConfig },
) {
  const optimizer = new Optimizer({ kind: "adamw" }, model.parameters);
  const bytes = await encodeCheckpoint({
    model,
    optimizer,
    trainer: { step: 0, tokensSeen: 0, random: new Random(0).getState(), initialLoss: undefined },
    sampler: null,
    tokenizer: tokenizer.toJSON(),
    finetune,
  });
  optimizer.dispose();
  await saveCheckpoint(db, {
    trialId,
    kind: "last",
    step: 0,
    data: Buffer.from(bytes),
    sizeBytes: bytes.byteLength,
  });
}
