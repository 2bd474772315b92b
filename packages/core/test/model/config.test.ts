import { describe, expect, it } from "vitest";
import {
  type GPTConfigInput,
  parameterCount,
  parseConfig,
  trainingFlopsPerToken,
} from "../../src/model/config.ts";
import { createGPT, disposeGPT } from "../../src/model/gpt.ts";
import { useWasmBackend } from "../tf-backend.ts";

useWasmBackend();

const tiny: GPTConfigInput = {
  vocabSize: 10,
  seqLen: 4,
  layers: 1,
  dModel: 8,
  heads: 2,
  kvHeads: 1,
  mlpRatio: 2,
};

describe("parseConfig", () => {
  it("fills defaults: multi-head attention, MLP 4x, GELU, pre-LayerNorm, learned positions, biases, tied", () => {
    const config = parseConfig({ vocabSize: 65, seqLen: 64, layers: 2, dModel: 128, heads: 4 });
    expect(config).toMatchObject({
      kvHeads: 4,
      mlpRatio: 4,
      activation: "gelu",
      dropout: 0,
      norm: "pre",
      normalization: "layernorm",
      positions: "learned",
      ropeTheta: 10000,
      bias: true,
      tieEmbeddings: true,
    });
    expect(config.numClasses).toBeUndefined();
    expect(config.mlpHidden).toBeUndefined();
  });

  it.each([
    [{ dModel: 10, heads: 4 }, "heads: dModel 10 is not divisible by heads 4"],
    [{ heads: 4, kvHeads: 3, dModel: 12 }, "kvHeads: heads 4 must be a multiple of kvHeads 3"],
    [{ heads: 2, kvHeads: 4 }, "kvHeads: heads 2 must be a multiple of kvHeads 4"],
    [
      { dModel: 12, heads: 4, positions: "rotary" },
      "positions: rotary positions need an even head dimension, got dModel / heads = 3",
    ],
    [{ mlpRatio: 2.3 }, "mlpRatio: mlpRatio 2.3 × dModel 8 must be a whole number of units"],
    [{ mlpHidden: 2.5 }, "mlpHidden:"],
    [{ ropeTheta: 1 }, "ropeTheta:"],
    [{ normalization: "batchnorm" }, "normalization:"],
    [{ dropout: 1 }, "dropout:"],
    [{ layers: 0 }, "layers:"],
    [{ activation: "tanh" }, "activation:"],
    [{ heads: 2, extra: 1 }, "extra"],
  ])("rejects %j with a message naming the problem", (change, message) => {
    expect(() => parseConfig({ ...tiny, ...change })).toThrow(message);
  });

  it("lists every problem at once", () => {
    expect(() => parseConfig({ ...tiny, dModel: 9, heads: 2, kvHeads: 3, layers: -1 })).toThrow(
      /layers:.*heads: dModel 9 is not divisible by heads 2.*kvHeads/,
    );
  });
});

describe("parameterCount and trainingFlopsPerToken", () => {
  it("match a hand count for a tiny grouped-query model", () => {
    // tokens 10·8 + positions 4·8; block: 2 LayerNorms 2·16, query 8·8+8, key and value 8·4+4
    // each (one key/value head of size 4), output 8·8+8, MLP 8·16+16 and 16·8+8; final norm 16.
    const block = 2 * 16 + 72 + 2 * 36 + 72 + 144 + 136;
    expect(block).toBe(528);
    const config = parseConfig(tiny);
    expect(parameterCount(config)).toBe(80 + 32 + block + 16);
    // 6 × (all but the looked-up position table) + 12 · layers · seqLen · dModel.
    expect(trainingFlopsPerToken(config)).toBe(6 * (656 - 32) + 12 * 1 * 4 * 8);
  });

  it("count untied heads, classifiers and post-norm as built", () => {
    const untied = parseConfig({ ...tiny, tieEmbeddings: false });
    expect(parameterCount(untied)).toBe(656 + 8 * 10);
    // The input table is then only looked up: 6 × (736 - 80 - 32) + 384.
    expect(trainingFlopsPerToken(untied)).toBe(6 * 624 + 384);
    expect(parameterCount(parseConfig({ ...tiny, numClasses: 3 }))).toBe(656 + 8 * 3 + 3);
    expect(parameterCount(parseConfig({ ...tiny, norm: "post" }))).toBe(656 - 16);
    expect(parameterCount(parseConfig({ ...tiny, positions: "rotary" }))).toBe(656 - 32);
  });

  it("match a hand count for Llama's architecture", () => {
    // tokens 10·8, no position table; block: 2 RMSNorms 2·8, query 8·8, key and value 8·4 each,
    // output 8·8, SwiGLU gate and in 8·12 each, out 12·8; final RMSNorm 8; head 8·10.
    const llama = parseConfig({
      ...tiny,
      normalization: "rmsnorm",
      positions: "rotary",
      activation: "swiglu",
      mlpHidden: 12,
      bias: false,
      tieEmbeddings: false,
    });
    const block = 16 + 64 + 2 * 32 + 64 + 2 * 96 + 96;
    expect(parameterCount(llama)).toBe(80 + block + 8 + 80);
  });

  it.each<[string, Partial<GPTConfigInput>]>([
    ["the tiny model", {}],
    ["multi-head, untied, post-norm", { kvHeads: 2, tieEmbeddings: false, norm: "post" }],
    ["rotary, ReLU, MLP 3x", { positions: "rotary", activation: "relu", mlpRatio: 3 }],
    ["sinusoidal classifier", { positions: "sinusoidal", numClasses: 4, layers: 2 }],
    [
      "Llama: RMSNorm, SwiGLU, no biases",
      { normalization: "rmsnorm", activation: "swiglu", mlpHidden: 20, bias: false },
    ],
    [
      "RMSNorm post-norm classifier, biases",
      { normalization: "rmsnorm", norm: "post", numClasses: 3 },
    ],
    ["the reference model", { vocabSize: 65, seqLen: 64, layers: 2, dModel: 128, heads: 4 }],
  ])("equals the trainable weights of the built model: %s", (_, change) => {
    const config = parseConfig({ ...tiny, ...change });
    const model = createGPT(config, 1);
    const built = [...model.parameters.values()].reduce((sum, v) => sum + v.size, 0);
    expect(built).toBe(parameterCount(config));
    expect([...model.parameters.values()].every((v) => v.trainable)).toBe(true);
    disposeGPT(model);
  });
});
