/**
 * A Hugging Face model folder, given as a map from file name to bytes: the caller reads the files
 * (from disk, an upload, a database), so nothing here touches a file system. The weights are
 * `model.safetensors`, or shards listed by `model.safetensors.index.json`, whose `weight_map` names
 * the shard file of every tensor; as in transformers, the single file wins when both are present.
 */
import { PICKLE_REFUSAL, readSafetensors, type StoredTensor } from "./safetensors.ts";

export type ModelFiles = ReadonlyMap<string, Uint8Array>;

export const WEIGHTS_FILE = "model.safetensors";
export const WEIGHTS_INDEX_FILE = "model.safetensors.index.json";

/** A JSON file of the folder, parsed; `what` says what it should hold, for the error. */
export function readJsonFile(files: ModelFiles, name: string, what: string): unknown {
  const bytes = files.get(name);
  if (bytes === undefined) {
    throw new Error(`the model folder has no ${name} (${what}); it has ${listFiles(files)}`);
  }
  try {
    return JSON.parse(new TextDecoder().decode(bytes));
  } catch (error) {
    throw new Error(`${name} is not valid JSON: ${(error as Error).message}`);
  }
}

/** Every tensor of the folder's weights, by name, in file order. */
export function readWeights(files: ModelFiles): Map<string, StoredTensor> {
  const single = files.get(WEIGHTS_FILE);
  if (single !== undefined) return readSafetensors(single, WEIGHTS_FILE).tensors;
  if (files.has(WEIGHTS_INDEX_FILE)) return readShards(files);
  const pickled = [...files.keys()].find((name) => /\.(bin|pt|pth|ckpt)$/.test(name));
  if (pickled !== undefined) throw new Error(`${pickled}: ${PICKLE_REFUSAL}`);
  throw new Error(
    `the model folder has neither ${WEIGHTS_FILE} nor ${WEIGHTS_INDEX_FILE}; it has ${listFiles(files)}`,
  );
}

function readShards(files: ModelFiles): Map<string, StoredTensor> {
  const fail = (message: string): never => {
    throw new Error(`${WEIGHTS_INDEX_FILE}: ${message}`);
  };
  const index = readJsonFile(files, WEIGHTS_INDEX_FILE, "the shard index") as {
    weight_map?: unknown;
  };
  const weightMap = index?.weight_map;
  if (typeof weightMap !== "object" || weightMap === null || Array.isArray(weightMap)) {
    fail('it has no "weight_map" object from tensor names to shard files');
  }
  const shardOf = new Map<string, string>();
  for (const [name, shard] of Object.entries(weightMap as object)) {
    if (typeof shard !== "string") {
      fail(`tensor "${name}" maps to ${JSON.stringify(shard)}, not a shard file name`);
    }
    shardOf.set(name, shard);
  }
  const tensors = new Map<string, StoredTensor>();
  for (const shard of new Set(shardOf.values())) {
    const bytes = files.get(shard);
    if (bytes === undefined) {
      const names = [...shardOf].filter(([, s]) => s === shard).map(([name]) => name);
      fail(
        `shard ${shard} (holding ${names.length} tensors, e.g. "${names[0]}") is missing: the ` +
          `folder has ${listFiles(files)}`,
      );
    }
    for (const [name, tensor] of readSafetensors(bytes as Uint8Array, shard).tensors) {
      if (shardOf.get(name) !== shard) {
        const listed = shardOf.has(name) ? `lists it in ${shardOf.get(name)}` : "does not list it";
        fail(`shard ${shard} holds tensor "${name}", but the index ${listed}`);
      }
      tensors.set(name, tensor);
    }
  }
  const absent = [...shardOf.keys()].filter((name) => !tensors.has(name));
  if (absent.length > 0) {
    fail(
      `tensors ${absent.map((name) => `"${name}" (in ${shardOf.get(name)})`).join(", ")} are not in their shards`,
    );
  }
  return tensors;
}

function listFiles(files: ModelFiles): string {
  return files.size === 0 ? "no files" : [...files.keys()].join(", ");
}
