// Hugging Face folders to upload, made here from an untrained GPT, and the upload a client does.
import { createHash } from "node:crypto";
import { createGPT, disposeGPT, exportHuggingFaceGPT2 } from "@attune/core/model";
import { MODEL_PART_BYTES } from "@attune/db";
import type { Caller } from "./harness.ts";

export type Folder = Map<string, Uint8Array>;

/** A GPT-2 folder with a vocab.json of as many tokens as the embedding has rows. */
export function gpt2Folder(
  size: { vocabSize: number; dModel: number } = { vocabSize: 40, dModel: 16 },
): Folder {
  const model = createGPT({ ...size, seqLen: 8, layers: 1, heads: 2 }, 5);
  try {
    const folder = exportHuggingFaceGPT2(model);
    const vocab = Object.fromEntries(
      Array.from({ length: size.vocabSize }, (_, i) => [`t${i}`, i]),
    );
    folder.set("vocab.json", json(vocab));
    return folder;
  } finally {
    disposeGPT(model);
  }
}

export const json = (value: unknown) => new TextEncoder().encode(JSON.stringify(value));

export function fileSpecs(folder: Folder) {
  return [...folder].map(([name, bytes]) => ({
    name,
    sizeBytes: bytes.length,
    sha256: createHash("sha256").update(bytes).digest("hex"),
  }));
}

/**
 * Begins (or resumes) the upload and sends the parts it lacks, `partLimit` of them at most (to cut
 * an upload off half way); completes it when all were sent.
 */
export async function upload(
  caller: Caller,
  projectId: string,
  name: string,
  folder: Folder,
  partLimit = Number.POSITIVE_INFINITY,
) {
  const state = await caller.models.begin({ projectId, name, files: fileSpecs(folder) });
  let sent = 0;
  for (const file of state.files) {
    if (file.held || state.status !== "uploading") continue;
    const bytes = folder.get(file.name) as Uint8Array;
    for (let index = 0; index < file.parts; index++) {
      if (file.present.includes(index)) continue;
      if (sent === partLimit) return { state, model: undefined };
      const part = bytes.subarray(index * MODEL_PART_BYTES, (index + 1) * MODEL_PART_BYTES);
      await caller.models.part({
        modelId: state.modelId,
        file: file.name,
        index,
        bytes: Buffer.from(part).toString("base64"),
      });
      sent++;
    }
  }
  const model =
    state.status === "uploading"
      ? await caller.models.complete({ modelId: state.modelId })
      : await caller.models.get({ modelId: state.modelId });
  return { state, model };
}
