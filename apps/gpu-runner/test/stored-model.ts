// A small "pretrained" model stored as a ready model of a project, for trials and strategies to
// start from.
import { createTokenizer, tokenizerFolderFiles } from "@attune/core/data";
import { createGPT, disposeGPT, exportHuggingFaceModel } from "@attune/core/model";
import { selectBackend } from "@attune/core/train";
import { createModel, type Database, setModelStatus, storeBlob } from "@attune/db";

/** A GPT-2 of 32 positions with a byte tokenizer, named "tiny-gpt2", ready. */
export async function storeModel(db: Database, projectId: string) {
  await selectBackend();
  const gpt = createGPT({ vocabSize: 257, seqLen: 32, layers: 1, dModel: 16, heads: 2 }, 3);
  const folder = exportHuggingFaceModel(gpt, { bosTokenId: 256, eosTokenId: 256 });
  disposeGPT(gpt);
  for (const [name, bytes] of tokenizerFolderFiles(createTokenizer("byte")))
    folder.set(name, bytes);
  const files = [];
  for (const [name, bytes] of folder) {
    files.push({ name, sizeBytes: bytes.length, sha256: await storeBlob(db, bytes) });
  }
  const model = await createModel(db, { projectId, name: "tiny-gpt2", source: "upload", files });
  await setModelStatus(db, model.id, { status: "ready", architecture: "gpt2" });
  return model;
}
