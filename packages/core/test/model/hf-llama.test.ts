import { readFileSync } from "node:fs";
import * as tf from "@tensorflow/tfjs";
import { afterEach, describe, expect, it } from "vitest";
import { type GPTConfigInput, parseConfig } from "../../src/model/config.ts";
import { createGPT, disposeGPT, type GPT, languageModelLogits } from "../../src/model/gpt.ts";
import { importHuggingFaceGPT2 } from "../../src/model/hf-gpt2.ts";
import { exportHuggingFaceLlama, importHuggingFaceLlama } from "../../src/model/hf-llama.ts";
import { gptConfigFromHfLlama, parseHfLlamaConfig } from "../../src/model/hf-llama-config.ts";
import { exportHuggingFaceModel, importHuggingFaceModel } from "../../src/model/hf-model.ts";
import {
  type Float32Tensor,
  float32Values,
  readSafetensors,
  type StoredTensor,
  writeSafetensors,
} from "../../src/model/safetensors.ts";
import { Random } from "../../src/random.ts";
import { useWasmBackend } from "../tf-backend.ts";
import { json, readFolder, tinyGpt2Files } from "./tiny-gpt2.ts";
import {
  TINY_LLAMA_FOLDER,
  tinyLlamaConfig,
  tinyLlamaFiles,
  tinyLlamaTensors,
} from "./tiny-llama.ts";

useWasmBackend();

const models: GPT[] = [];
afterEach(() => {
  for (const model of models.splice(0)) disposeGPT(model);
});

function kept(model: GPT): GPT {
  models.push(model);
  return model;
}

function weightsOf(model: GPT): Map<string, number[]> {
  return new Map([...model.parameters].map(([name, value]) => [name, [...value.dataSync()]]));
}

/** The tiny checkpoint's files with its config.json changed and tensors added. */
function changed(
  config: Record<string, unknown>,
  extraTensors: [string, { shape: number[]; values: Float32Array }][] = [],
): Map<string, Uint8Array> {
  const tensors = [...tinyLlamaTensors(), ...extraTensors];
  return new Map([
    ["config.json", json({ ...tinyLlamaConfig, ...config })],
    ["model.safetensors", writeSafetensors(tensors)],
  ]);
}

const llamaArchitecture: Partial<GPTConfigInput> = {
  normalization: "rmsnorm",
  positions: "rotary",
  activation: "swiglu",
  bias: false,
};

function randomModel(config: Partial<GPTConfigInput>): GPT {
  const model = kept(
    createGPT({ vocabSize: 11, seqLen: 6, layers: 2, dModel: 8, heads: 2, ...config }, 3),
  );
  const random = new Random(4);
  tf.tidy(() => {
    for (const variable of model.parameters.values()) {
      const values = Float32Array.from({ length: variable.size }, () => random.normal(0, 0.5));
      variable.assign(tf.tensor(values, variable.shape));
    }
  });
  return model;
}

describe("importing a Hugging Face Llama", () => {
  it("computes PyTorch's logits to float32 rounding (fixtures/llama_reference.py)", () => {
    const files = readFolder(TINY_LLAMA_FOLDER);
    // The committed checkpoint is the one tiny-llama.ts makes: the fixture cannot drift from its maker.
    expect(files.get("model.safetensors")).toEqual(tinyLlamaFiles().get("model.safetensors"));
    expect(JSON.parse(new TextDecoder().decode(files.get("config.json")))).toEqual(tinyLlamaConfig);
    const expected = JSON.parse(
      readFileSync(new URL("expected-logits.json", TINY_LLAMA_FOLDER), "utf8"),
    ) as { tokens: number[][]; logits: number[][][] };
    const model = kept(importHuggingFaceModel(files));
    expect(model.config).toMatchObject({ heads: 4, kvHeads: 2, ropeTheta: 500, mlpHidden: 48 });
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
    // The reference is float64, we compute in float32. Measured: our worst error is 6.0e-6 for
    // logits up to 6.7, PyTorch's own float32 forward errs by 6.7e-6. The bound, 1e-5 × the largest
    // logit (6.7e-5), leaves room for other summation orders and stays far below real mistakes:
    // rotary base 10000 instead of 500 moves the logits by 6.1, interleaved rotary pairs instead of
    // rotate_half's halves by 10, ε 1e-6 instead of 1e-3 by 0.12.
    expect(worst).toBeLessThan(1e-5 * largest);
  });

  it("takes LlamaConfig's defaults for fields config.json leaves out", () => {
    expect(gptConfigFromHfLlama(parseHfLlamaConfig({ model_type: "llama" }))).toEqual(
      parseConfig({
        vocabSize: 32000,
        seqLen: 2048,
        layers: 32,
        dModel: 4096,
        heads: 32,
        kvHeads: 32,
        mlpHidden: 11008,
        activation: "swiglu",
        dropout: 0,
        norm: "pre",
        normalization: "rmsnorm",
        positions: "rotary",
        ropeTheta: 10000,
        bias: false,
        tieEmbeddings: false,
        normEpsilon: 1e-6,
      }),
    );
  });

  it("takes shards, saved rotary buffers and a tied head that equals the embedding", () => {
    const tensors = [...tinyLlamaTensors()];
    const files = new Map([
      ["config.json", json(tinyLlamaConfig)],
      [
        "model.safetensors.index.json",
        json({
          weight_map: Object.fromEntries(
            tensors.map(([name], i) => [name, `model-0000${i < 9 ? 1 : 2}-of-00002.safetensors`]),
          ),
        }),
      ],
      ["model-00001-of-00002.safetensors", writeSafetensors(tensors.slice(0, 9))],
      ["model-00002-of-00002.safetensors", writeSafetensors(tensors.slice(9))],
    ]);
    const plain = weightsOf(kept(importHuggingFaceLlama(tinyLlamaFiles())));
    expect(weightsOf(kept(importHuggingFaceLlama(files)))).toEqual(plain);

    const buffer = { shape: [4], values: Float32Array.of(1, 0.2, 0.04, 0.008) };
    const withBuffer = changed({}, [["model.layers.1.self_attn.rotary_emb.inv_freq", buffer]]);
    expect(weightsOf(kept(importHuggingFaceLlama(withBuffer)))).toEqual(plain);

    const embedding = tinyLlamaTensors().get("model.embed_tokens.weight") as Float32Tensor;
    const tiedFiles = new Map([
      ["config.json", json({ ...tinyLlamaConfig, tie_word_embeddings: true })],
      [
        "model.safetensors",
        writeSafetensors(
          [...tinyLlamaTensors()].map(([name, tensor]) => [
            name,
            name === "lm_head.weight" ? embedding : tensor,
          ]),
        ),
      ],
    ]);
    const tied = kept(importHuggingFaceLlama(tiedFiles));
    expect(tied.weights.outputHead).toBeUndefined();
    expect(tied.parameters.has("outputHead")).toBe(false);
  });

  it.each<[string, Record<string, unknown>, string]>([
    [
      "scaled rotary angles",
      { rope_scaling: { type: "linear", factor: 2 } },
      "rope_scaling: only null",
    ],
    [
      "biases on attention only",
      { attention_bias: true },
      "mlp_bias: false with attention_bias true is not expressible",
    ],
    ["a sliding window", { sliding_window: 8 }, "sliding_window: only null is expressible"],
    ["sliding-window attention", { use_sliding_window: true }, "use_sliding_window: only false"],
    ["another activation", { hidden_act: "gelu" }, 'hidden_act: "gelu" is not expressible'],
    ["another head size", { head_dim: 16 }, "head_dim: 16 is not expressible"],
    ["another architecture", { model_type: "mistral" }, 'model_type: "mistral" is not "llama"'],
    [
      "key/value heads that do not divide the heads",
      { num_key_value_heads: 3 },
      "kvHeads: heads 4 must be a multiple of kvHeads 3",
    ],
  ])("refuses a config the model cannot express: %s", (_, change, message) => {
    expect(() => importHuggingFaceLlama(changed(change))).toThrow(message);
  });

  it("refuses a tied config whose checkpoint holds a head of its own", () => {
    expect(() => importHuggingFaceLlama(changed({ tie_word_embeddings: true }))).toThrow(
      `config.json's tie_word_embeddings is true, but the weights hold an "lm_head.weight" that ` +
        `differs from "model.embed_tokens.weight"`,
    );
  });

  it("refuses weights that do not fit the config, naming the tensor and both shapes", () => {
    expect(() => importHuggingFaceLlama(changed({ intermediate_size: 64 }))).toThrow(
      'tensor "model.layers.0.mlp.gate_proj.weight" has shape [48,32], but config.json implies [64,32]',
    );
    expect(() => importHuggingFaceLlama(changed({ num_key_value_heads: 4 }))).toThrow(
      'tensor "model.layers.0.self_attn.k_proj.weight" has shape [16,32], but config.json implies [32,32]',
    );
    const stray = { shape: [32], values: new Float32Array(32) };
    expect(() =>
      importHuggingFaceLlama(changed({}, [["model.layers.0.self_attn.q_proj.bias", stray]])),
    ).toThrow('tensors "model.layers.0.self_attn.q_proj.bias" are not Llama\'s');
  });
});

describe("importHuggingFaceModel", () => {
  it("reads GPT-2 and Llama by config.json's model_type", () => {
    const gpt2 = weightsOf(kept(importHuggingFaceModel(tinyGpt2Files())));
    expect(gpt2).toEqual(weightsOf(kept(importHuggingFaceGPT2(tinyGpt2Files()))));
    const llama = weightsOf(kept(importHuggingFaceModel(tinyLlamaFiles())));
    expect(llama).toEqual(weightsOf(kept(importHuggingFaceLlama(tinyLlamaFiles()))));
  });

  it("refuses other model types, naming GPT-Neo's local attention", () => {
    const neo = changed({ model_type: "gpt_neo", attention_types: [[["global", "local"], 1]] });
    expect(() => importHuggingFaceModel(neo)).toThrow(
      'config.json is not an importable model: model_type "gpt_neo" is not one of gpt2, llama; ' +
        "attention_types: GPT-Neo's local attention is not expressible",
    );
  });
});

describe("exporting as Hugging Face", () => {
  // The config comes back with its ε, and Llama's MLP width as a number of units.
  it.each<[string, Partial<GPTConfigInput>, Partial<GPTConfigInput>]>([
    [
      "Llama: grouped-query, untied, SwiGLU width 12",
      { ...llamaArchitecture, kvHeads: 1, tieEmbeddings: false, mlpHidden: 12 },
      { normEpsilon: 1e-5 },
    ],
    [
      "Llama: tied, with biases, θ 500, ε 1e-6",
      { ...llamaArchitecture, bias: true, ropeTheta: 500, normEpsilon: 1e-6 },
      { mlpHidden: 32 },
    ],
    ["GPT-2: untied, ReLU", { tieEmbeddings: false, activation: "relu" }, { normEpsilon: 1e-5 }],
    ["GPT-2: tied, GELU, dropout", { dropout: 0.2 }, { normEpsilon: 1e-5 }],
  ])("re-imports to identical weights and config (%s)", (_, config, filled) => {
    const model = randomModel(config);
    const back = kept(importHuggingFaceModel(exportHuggingFaceModel(model)));
    expect(back.config).toEqual({ ...model.config, ...filled });
    expect(weightsOf(back)).toEqual(weightsOf(model));
  });

  it("writes back the Llama checkpoint it imported, tensor for tensor", () => {
    const model = kept(importHuggingFaceLlama(tinyLlamaFiles()));
    const files = exportHuggingFaceLlama(model, { bosTokenId: 1, eosTokenId: 2 });
    const { metadata, tensors } = readSafetensors(files.get("model.safetensors") as Uint8Array);
    expect(metadata).toEqual({ format: "pt" });
    const original = tinyLlamaTensors();
    expect([...tensors.keys()].sort()).toEqual([...original.keys()].sort());
    for (const [name, tensor] of original) {
      const written = tensors.get(name) as StoredTensor;
      expect(written.shape, name).toEqual(tensor.shape);
      expect(float32Values(written, name), name).toEqual(tensor.values);
    }
    const config = JSON.parse(new TextDecoder().decode(files.get("config.json")));
    const { attention_dropout, pretraining_tp, initializer_range, ...fields } = tinyLlamaConfig;
    expect(config).toMatchObject({ ...fields, head_dim: 8 });
  });

  it("refuses a model neither GPT-2 nor Llama expresses, naming the fields of each", () => {
    const model = randomModel({ normalization: "rmsnorm" });
    expect(() => exportHuggingFaceModel(model)).toThrow(
      "this model is expressible neither as GPT-2 (normalization: rmsnorm (GPT-2 has LayerNorms)) " +
        "nor as Llama (positions: learned (Llama's are rotary); activation: gelu (Llama's MLP is SwiGLU))",
    );
    expect(() =>
      exportHuggingFaceLlama(randomModel({ ...llamaArchitecture, norm: "post" })),
    ).toThrow(
      "this model is not expressible as Llama: norm: post (Llama normalizes before each sublayer)",
    );
  });
});
