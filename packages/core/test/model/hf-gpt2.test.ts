import { readFileSync } from "node:fs";
import * as tf from "@tensorflow/tfjs";
import { afterEach, describe, expect, it } from "vitest";
import { type GPTConfigInput, parseConfig } from "../../src/model/config.ts";
import {
  createGPT,
  disposeGPT,
  type GPT,
  gptWithValues,
  languageModelLogits,
} from "../../src/model/gpt.ts";
import { exportHuggingFaceGPT2, importHuggingFaceGPT2 } from "../../src/model/hf-gpt2.ts";
import { gptConfigFromHf, parseHfGpt2Config } from "../../src/model/hf-gpt2-config.ts";
import {
  float32Values,
  readSafetensors,
  type StoredTensor,
  writeSafetensors,
} from "../../src/model/safetensors.ts";
import { Random } from "../../src/random.ts";
import { useWasmBackend } from "../tf-backend.ts";
import {
  json,
  readFolder,
  TINY_GPT2_FOLDER,
  tinyGpt2Config,
  tinyGpt2Files,
  tinyGpt2Tensors,
} from "./tiny-gpt2.ts";

useWasmBackend();

const models: GPT[] = [];
afterEach(() => {
  for (const model of models.splice(0)) disposeGPT(model);
});

function imported(files: Map<string, Uint8Array>): GPT {
  const model = importHuggingFaceGPT2(files);
  models.push(model);
  return model;
}

function weightsOf(model: GPT): Map<string, number[]> {
  return new Map([...model.parameters].map(([name, value]) => [name, [...value.dataSync()]]));
}

/** The tiny checkpoint's files with its config.json changed. */
function withConfig(change: Record<string, unknown>): Map<string, Uint8Array> {
  const files = tinyGpt2Files();
  files.set("config.json", json({ ...tinyGpt2Config, ...change }));
  return files;
}

describe("importing a Hugging Face GPT-2", () => {
  it("computes PyTorch's logits to float32 rounding (fixtures/gpt2_reference.py)", () => {
    const files = readFolder(TINY_GPT2_FOLDER);
    // The committed checkpoint is the one tiny-gpt2.ts makes: the fixture cannot drift from its maker.
    expect(files.get("model.safetensors")).toEqual(tinyGpt2Files().get("model.safetensors"));
    expect(JSON.parse(new TextDecoder().decode(files.get("config.json")))).toEqual(tinyGpt2Config);
    const expected = JSON.parse(
      readFileSync(new URL("expected-logits.json", TINY_GPT2_FOLDER), "utf8"),
    ) as { tokens: number[][]; logits: number[][][] };
    const model = imported(files);
    const logits = tf.tidy(() =>
      languageModelLogits(model, Int32Array.from(expected.tokens.flat()), 2).dataSync(),
    );
    const reference = expected.logits.flat(2);
    expect(logits.length).toBe(reference.length);
    const worst = reference.reduce(
      (max, x, i) => Math.max(max, Math.abs(x - (logits[i] as number))),
      0,
    );
    const largest = reference.reduce((max, x) => Math.max(max, Math.abs(x)), 0);
    // The reference is float64, we compute in float32. Measured: our worst error is 4.3e-6 for
    // logits up to 5.9, PyTorch's own float32 forward errs by 6.2e-6. The bound, 1e-5 × the largest
    // logit (5.9e-5), leaves room for other summation orders and stays far below real mistakes:
    // the exact GELU instead of the tanh form moves the logits by 2.2e-3, ε 1e-5 for 1e-3 by 3.6e-2.
    expect(worst).toBeLessThan(1e-5 * largest);
  });

  it("takes GPT2LMHeadModel's names, saved mask buffers, a tied lm_head and shards alike", () => {
    const plain = weightsOf(imported(tinyGpt2Files()));
    const tensors = [...tinyGpt2Tensors()].map(([name, tensor]) => [`transformer.${name}`, tensor]);
    const wte = tinyGpt2Tensors().get("wte.weight");
    const extras = [
      ["transformer.h.0.attn.bias", { shape: [1, 1, 16, 16], values: new Float32Array(256) }],
      ["transformer.h.0.attn.masked_bias", { shape: [], values: Float32Array.of(-1e4) }],
      ["lm_head.weight", wte],
    ] as const;
    const all = [...tensors, ...extras] as [string, { shape: number[]; values: Float32Array }][];
    const files = new Map([
      ["config.json", json(tinyGpt2Config)],
      ["model.safetensors.index.json", json({ metadata: {}, weight_map: shardMap(all) })],
      ["model-00001-of-00002.safetensors", writeSafetensors(all.slice(0, 10))],
      ["model-00002-of-00002.safetensors", writeSafetensors(all.slice(10))],
    ]);
    expect(weightsOf(imported(files))).toEqual(plain);
  });

  it("takes GPT2Config's defaults for fields config.json leaves out", () => {
    expect(gptConfigFromHf(parseHfGpt2Config({ model_type: "gpt2" }))).toEqual(
      parseConfig({
        vocabSize: 50257,
        seqLen: 1024,
        layers: 12,
        dModel: 768,
        heads: 12,
        mlpRatio: 4,
        activation: "gelu",
        dropout: 0.1,
        norm: "pre",
        positions: "learned",
        tieEmbeddings: true,
        normEpsilon: 1e-5,
      }),
    );
  });

  it.each<[string, Record<string, unknown>, string]>([
    [
      "attention scaled by layer",
      { scale_attn_by_inverse_layer_idx: true },
      "scale_attn_by_inverse_layer_idx: only false is expressible",
    ],
    [
      "reordered, upcast attention",
      { reorder_and_upcast_attn: true },
      "reorder_and_upcast_attn: only false is expressible",
    ],
    ["unscaled attention", { scale_attn_weights: false }, "scale_attn_weights: only true"],
    ["the exact GELU", { activation_function: "gelu" }, 'activation_function: "gelu" is not'],
    [
      "GPT-Neo",
      { model_type: "gpt_neo", attention_types: [[["global", "local"], 1]] },
      'model_type: "gpt_neo" is not "gpt2": only GPT-2 is imported; attention_types: GPT-Neo\'s local',
    ],
    ["another architecture", { model_type: "llama" }, 'model_type: "llama" is not "gpt2"'],
  ])("refuses a config the model cannot express: %s", (_, change, message) => {
    expect(() => importHuggingFaceGPT2(withConfig(change))).toThrow(message);
  });

  it("refuses weights that do not fit the config, naming the tensor and both shapes", () => {
    expect(() => importHuggingFaceGPT2(withConfig({ n_inner: 64 }))).toThrow(
      'tensor "h.0.mlp.c_fc.weight" has shape [32,128], but config.json implies [32,64]; ' +
        'tensor "h.0.mlp.c_fc.bias" has shape [128], but config.json implies [64]',
    );
    expect(() => importHuggingFaceGPT2(withConfig({ n_layer: 3 }))).toThrow(
      'tensor "h.2.ln_1.weight" is missing',
    );
    expect(() => importHuggingFaceGPT2(withConfig({ n_layer: 1 }))).toThrow(
      'tensors "h.1.ln_1.weight", "h.1.ln_1.bias"',
    );
    expect(() => importHuggingFaceGPT2(withConfig({ tie_word_embeddings: false }))).toThrow(
      'tensor "lm_head.weight" is missing',
    );
  });

  it("refuses a pickled PyTorch checkpoint, saying to convert it", () => {
    const files = new Map([
      ["config.json", json(tinyGpt2Config)],
      ["pytorch_model.bin", Uint8Array.of(0x50, 0x4b, 0x03, 0x04, 0, 0, 0, 0)],
    ]);
    expect(() => importHuggingFaceGPT2(files)).toThrow(
      "pytorch_model.bin: PyTorch's pickle format (torch.save, pytorch_model.bin) is not read",
    );
    expect(() => importHuggingFaceGPT2(files)).toThrow("Convert the checkpoint to safetensors");
  });
});

/** Tensors in two shards: the first ten in the first. */
function shardMap(tensors: [string, unknown][]): Record<string, string> {
  return Object.fromEntries(
    tensors.map(([name], i) => [name, `model-0000${i < 10 ? 1 : 2}-of-00002.safetensors`]),
  );
}

function randomModel(config: Partial<GPTConfigInput>): GPT {
  const model = createGPT(
    { vocabSize: 11, seqLen: 6, layers: 2, dModel: 8, heads: 2, ...config },
    3,
  );
  models.push(model);
  const random = new Random(4);
  tf.tidy(() => {
    for (const variable of model.parameters.values()) {
      const values = Float32Array.from({ length: variable.size }, () => random.normal(0, 0.5));
      variable.assign(tf.tensor(values, variable.shape));
    }
  });
  return model;
}

describe("exporting as a Hugging Face GPT-2", () => {
  it.each<[string, Partial<GPTConfigInput>]>([
    ["tied, GELU", {}],
    [
      "untied, ReLU, MLP ratio 3, ε 1e-6, dropout",
      {
        tieEmbeddings: false,
        activation: "relu",
        mlpRatio: 3,
        normEpsilon: 1e-6,
        dropout: 0.2,
      },
    ],
  ])("re-imports to identical weights and config (%s)", (_, config) => {
    const model = randomModel(config);
    const back = imported(exportHuggingFaceGPT2(model));
    expect(back.config).toEqual({ ...model.config, normEpsilon: model.config.normEpsilon ?? 1e-5 });
    expect(weightsOf(back)).toEqual(weightsOf(model));
  });

  it("takes GPT-2's whole vocabulary: an embedding of more than 2^24 distinct values", () => {
    // 50,257 × 384 = 19.3M values, nearly all distinct: tf.tidy, given them to return, would walk
    // them into a Set, which holds at most 2^24.
    const config = { vocabSize: 50257, seqLen: 8, layers: 1, dModel: 384, heads: 6 };
    const model = gptWithValues(config, (name, shape) =>
      name === "tokenEmbedding" ? tf.randomNormal(shape, 0, 1, "float32", 5) : tf.zeros(shape),
    );
    models.push(model);
    const back = imported(exportHuggingFaceGPT2(model));
    const [sent, read] = [model, back].map((gpt) => gpt.weights.tokenEmbedding.dataSync());
    expect(read?.length).toBe(50257 * 384);
    expect(read?.findIndex((value, i) => value !== sent?.[i])).toBe(-1);
  });

  it("writes GPT2LMHeadModel's names and layouts, and the configs transformers reads", () => {
    const model = randomModel({ tieEmbeddings: false });
    const files = exportHuggingFaceGPT2(model, { bosTokenId: 10, eosTokenId: 10 });
    expect([...files.keys()]).toEqual([
      "config.json",
      "model.safetensors",
      "generation_config.json",
    ]);
    const { metadata, tensors } = readSafetensors(files.get("model.safetensors") as Uint8Array);
    expect(metadata).toEqual({ format: "pt" });
    const values = (name: string) => float32Values(tensors.get(name) as StoredTensor, name);
    const parameter = (name: string) => model.parameters.get(name) as tf.Tensor;
    // c_attn holds query | key | value side by side: row r of the fused [8, 24] matrix.
    const fused = tf.tidy(() => {
      const [q, k, v] = ["query", "key", "value"].map((n) => parameter(`blocks.1.${n}.weight`));
      return tf.concat([q, k, v] as tf.Tensor[], 1).dataSync();
    });
    expect(tensors.get("transformer.h.1.attn.c_attn.weight")?.shape).toEqual([8, 24]);
    expect(values("transformer.h.1.attn.c_attn.weight")).toEqual(fused);
    expect(tensors.get("transformer.h.1.mlp.c_fc.weight")?.shape).toEqual([8, 32]);
    expect(tensors.get("lm_head.weight")?.shape).toEqual([11, 8]);
    const head = tf.tidy(() => tf.transpose(parameter("outputHead")).dataSync());
    expect(values("lm_head.weight")).toEqual(head);
    const text = (name: string) => JSON.parse(new TextDecoder().decode(files.get(name)));
    expect(text("config.json")).toMatchObject({
      architectures: ["GPT2LMHeadModel"],
      model_type: "gpt2",
      n_embd: 8,
      n_inner: 32,
      activation_function: "gelu_new",
      tie_word_embeddings: false,
      bos_token_id: 10,
      eos_token_id: 10,
    });
    expect(text("generation_config.json")).toEqual({
      _from_model_config: true,
      bos_token_id: 10,
      eos_token_id: 10,
    });
  });

  it("refuses a model GPT-2 cannot express, naming its config fields", () => {
    const model = randomModel({ positions: "rotary", norm: "post", heads: 4, kvHeads: 2 });
    expect(() => exportHuggingFaceGPT2(model)).toThrow(
      "this model is not expressible as GPT-2: positions: rotary (GPT-2 learns positions); " +
        "norm: post (GPT-2 normalizes before each sublayer); kvHeads: 2 (GPT-2 has a key/value " +
        "head per query head, 4)",
    );
    expect(() => exportHuggingFaceGPT2(randomModel({ numClasses: 3 }))).toThrow("numClasses: 3");
  });
});
