// The checks an uploaded model folder passes before it is ready, reading from its stored blobs only
// what they need: small JSON files whole, each safetensors file's header, and every byte once,
// chunk by chunk, to hash.
import {
  type CheckedFolder,
  checkModelFolder,
  readSafetensorsHeader,
  type SafetensorsHeader,
  safetensorsHeaderBytes,
  tokenizerVocabularySize,
} from "@attune/core/model-check";
import {
  type Executor,
  type ModelFile,
  readBlobChunks,
  readBlobRange,
  verifyBlob,
} from "@attune/db";

/** JSON files of a folder are read whole: refused past this size. */
const JSON_FILE_MAX_BYTES = 64 * 1024 * 1024;

/** Tokenizer files, in the order they are preferred. */
const TOKENIZER_FILES = ["tokenizer.json", "vocab.json"];

export interface FolderCheck extends CheckedFolder {
  config: unknown;
  /** The tokenizer file the folder has, or null. */
  tokenizer: string | null;
}

/** Thrown with a message for the model's error field: what is wrong with the folder. */
export class FolderRefusal extends Error {}

/** Checks the files, whose parts are all stored; throws FolderRefusal with the reason. */
export async function checkStoredFolder(db: Executor, files: ModelFile[]): Promise<FolderCheck> {
  for (const file of files) {
    if (!file.verified && !(await verifyBlob(db, file.sha256, file.sizeBytes))) {
      throw new FolderRefusal(
        `${file.name}: its bytes do not hash to the SHA-256 given for it (${file.sha256}); the parts were deleted, upload the file again`,
      );
    }
  }
  const byName = new Map(files.map((file) => [file.name, file]));
  const json = async (name: string): Promise<unknown> => {
    const file = byName.get(name);
    if (file === undefined) return undefined;
    if (file.sizeBytes > JSON_FILE_MAX_BYTES) {
      throw new FolderRefusal(`${name} is ${file.sizeBytes} bytes, over ${JSON_FILE_MAX_BYTES}`);
    }
    const chunks: Buffer[] = [];
    for await (const chunk of readBlobChunks(db, file.sha256, file.sizeBytes)) chunks.push(chunk);
    try {
      return JSON.parse(Buffer.concat(chunks).toString("utf8"));
    } catch (error) {
      throw new FolderRefusal(`${name} is not valid JSON: ${(error as Error).message}`);
    }
  };
  try {
    const config = await json("config.json");
    if (config === undefined) {
      throw new FolderRefusal(
        `the folder has no config.json (the model's architecture); it has ${[...byName.keys()].join(", ")}`,
      );
    }
    const weightHeaders = new Map<string, SafetensorsHeader>();
    for (const file of files.filter((file) => file.name.endsWith(".safetensors"))) {
      weightHeaders.set(file.name, await readHeader(db, file));
    }
    const tokenizer = TOKENIZER_FILES.find((name) => byName.has(name)) ?? null;
    const tokenizerJson = tokenizer === null ? undefined : await json(tokenizer);
    const checked = checkModelFolder({
      fileNames: [...byName.keys()],
      config,
      weightsIndex: await json("model.safetensors.index.json"),
      weightHeaders,
      tokenizerVocabularySize:
        tokenizer === null ? undefined : tokenizerVocabularySize(tokenizer, tokenizerJson),
    });
    return { ...checked, config, tokenizer };
  } catch (error) {
    if (error instanceof FolderRefusal) throw error;
    throw new FolderRefusal((error as Error).message);
  }
}

/** A safetensors file's header, from its first 8 + N bytes. */
async function readHeader(db: Executor, file: ModelFile): Promise<SafetensorsHeader> {
  const read = (length: number) =>
    readBlobRange(db, file.sha256, 0, Math.min(length, file.sizeBytes));
  const prefix = await read(safetensorsHeaderBytes(await read(8)));
  return readSafetensorsHeader(prefix, file.sizeBytes, file.name);
}
