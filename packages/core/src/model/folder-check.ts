/**
 * Checks a Hugging Face model folder from its small files and its weights' safetensors headers
 * alone, so that a server can accept or refuse an upload of hundreds of megabytes without holding
 * the weights: the architecture is one Attune reads, the tensors' shapes are the config's, and the
 * tokenizer's ids fit the embedding. Importing (importHuggingFaceModel) checks the rest.
 */
import { WEIGHTS_FILE, WEIGHTS_INDEX_FILE } from "./hf-folder.ts";
import { huggingFaceLayout } from "./hf-model.ts";
import { checkTensorShapes } from "./hf-tensors.ts";
import { PICKLE_REFUSAL, type SafetensorsHeader } from "./safetensors.ts";

export {
  readSafetensorsHeader,
  type SafetensorsHeader,
  safetensorsHeaderBytes,
} from "./safetensors.ts";
export { PICKLE_REFUSAL };

export interface FolderToCheck {
  fileNames: string[];
  /** config.json, parsed. */
  config: unknown;
  /** model.safetensors.index.json, parsed, when the weights are sharded. */
  weightsIndex?: unknown;
  /** The header of every .safetensors file, by file name. */
  weightHeaders: ReadonlyMap<string, SafetensorsHeader>;
  /** The tokenizer's vocabulary size (see tokenizerVocabularySize), when the folder has one. */
  tokenizerVocabularySize?: number;
}

export interface CheckedFolder {
  /** config.json's model_type. */
  architecture: string;
  /** Elements of every weight tensor, attention mask buffers included. */
  parameterCount: number;
}

export function checkModelFolder(folder: FolderToCheck): CheckedFolder {
  const pickled = folder.fileNames.find((name) => /\.(bin|pt|pth|ckpt)$/.test(name));
  const hasSafetensors = folder.fileNames.some((name) => name.endsWith(".safetensors"));
  if (pickled !== undefined && !hasSafetensors) throw new Error(`${pickled}: ${PICKLE_REFUSAL}`);
  const layout = huggingFaceLayout(folder.config);
  const shapes = tensorShapes(folder);
  checkTensorShapes(layout, shapes);
  const embeddingRows = layout.config.vocabSize;
  const vocabulary = folder.tokenizerVocabularySize;
  // Models often pad the embedding past the tokenizer (to a multiple of 64 or 128); ids past it
  // would have no embedding at all.
  if (vocabulary !== undefined && vocabulary > embeddingRows) {
    throw new Error(
      `the tokenizer has ${vocabulary} tokens, but the embedding has ${embeddingRows} rows ` +
        "(config.json vocab_size): tokens past the embedding cannot be read",
    );
  }
  let parameterCount = 0;
  for (const shape of shapes.values()) {
    parameterCount += shape.reduce((product, size) => product * size, 1);
  }
  return { architecture: (folder.config as { model_type: string }).model_type, parameterCount };
}

/** The tokens a model of this config.json (parsed) reads at once; undefined when it is not one. */
export function modelContextLength(config: unknown): number | undefined {
  try {
    return huggingFaceLayout(config).config.seqLen;
  } catch {
    return undefined;
  }
}

/** The weights' tensor shapes: model.safetensors's, or those of the shards the index names. */
function tensorShapes(folder: FolderToCheck): Map<string, number[]> {
  const files = folder.weightHeaders.has(WEIGHTS_FILE)
    ? [WEIGHTS_FILE]
    : shardFiles(folder.weightsIndex);
  const shapes = new Map<string, number[]>();
  for (const file of files) {
    const header = folder.weightHeaders.get(file);
    if (header === undefined) {
      throw new Error(`${WEIGHTS_INDEX_FILE} names shard ${file}, which the folder does not have`);
    }
    for (const entry of header.entries) shapes.set(entry.name, entry.shape);
  }
  return shapes;
}

function shardFiles(index: unknown): string[] {
  if (index === undefined) {
    throw new Error(`the model folder has neither ${WEIGHTS_FILE} nor ${WEIGHTS_INDEX_FILE}`);
  }
  const weightMap = (index as { weight_map?: unknown } | null)?.weight_map;
  if (typeof weightMap !== "object" || weightMap === null) {
    throw new Error(`${WEIGHTS_INDEX_FILE}: it has no "weight_map" object`);
  }
  return [...new Set(Object.values(weightMap).map(String))];
}

/**
 * The vocabulary size of a tokenizer file: tokenizer.json (its model's vocab and added tokens) or
 * GPT-2's vocab.json; the largest id plus one.
 */
export function tokenizerVocabularySize(fileName: string, json: unknown): number {
  const ids: number[] = [];
  const collect = (vocab: unknown) => {
    if (Array.isArray(vocab)) ids.push(vocab.length - 1);
    else if (typeof vocab === "object" && vocab !== null) {
      for (const id of Object.values(vocab)) if (typeof id === "number") ids.push(id);
    }
  };
  if (fileName.endsWith("tokenizer.json")) {
    const tokenizer = json as { model?: { vocab?: unknown }; added_tokens?: { id?: unknown }[] };
    collect(tokenizer?.model?.vocab);
    for (const token of tokenizer?.added_tokens ?? []) {
      if (typeof token?.id === "number") ids.push(token.id);
    }
  } else {
    collect(json);
  }
  if (ids.length === 0) throw new Error(`${fileName}: it holds no vocabulary`);
  return Math.max(...ids) + 1;
}
