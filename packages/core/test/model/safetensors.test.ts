import { describe, expect, it } from "vitest";
import { readWeights } from "../../src/model/hf-folder.ts";
import {
  float32Values,
  readSafetensors,
  type StoredTensor,
  writeSafetensors,
} from "../../src/model/safetensors.ts";

/** A safetensors file from a header (bytes, JSON text, or a value to serialize) and a buffer. */
function rawFile(header: Uint8Array | string | object, buffer: Uint8Array | number): Uint8Array {
  const headerBytes =
    header instanceof Uint8Array
      ? header
      : new TextEncoder().encode(typeof header === "string" ? header : JSON.stringify(header));
  const data = typeof buffer === "number" ? new Uint8Array(buffer) : buffer;
  const file = new Uint8Array(8 + headerBytes.length + data.length);
  new DataView(file.buffer).setBigUint64(0, BigInt(headerBytes.length), true);
  file.set(headerBytes, 8);
  file.set(data, 8 + headerBytes.length);
  return file;
}

const f32 = (shape: number[], begin: number) => ({
  dtype: "F32",
  shape,
  data_offsets: [begin, begin + 4 * shape.reduce((a, b) => a * b, 1)],
});

function values(tensor: StoredTensor | undefined): number[] {
  return [...float32Values(tensor as StoredTensor, "tensor")];
}

describe("safetensors", () => {
  it("reads back what it writes, with metadata and a header padded to 8 bytes", () => {
    const tensors: [string, { shape: number[]; values: Float32Array }][] = [
      ["b", { shape: [2, 3], values: Float32Array.of(1, -2, 3.5, 0, 1e-30, -7) }],
      ["a", { shape: [], values: Float32Array.of(42) }],
      ["empty", { shape: [0, 4], values: new Float32Array(0) }],
    ];
    const file = writeSafetensors(tensors, { format: "pt" });
    const headerLength = Number(new DataView(file.buffer).getBigUint64(0, true));
    expect(headerLength % 8).toBe(0);
    const read = readSafetensors(file);
    expect(read.metadata).toEqual({ format: "pt" });
    expect([...read.tensors.keys()]).toEqual(["b", "a", "empty"]);
    for (const [name, tensor] of tensors) {
      expect(read.tensors.get(name)?.shape).toEqual(tensor.shape);
      expect(values(read.tensors.get(name))).toEqual([...tensor.values]);
    }
  });

  it("reads the example file of the Rust crate's documentation (safetensors/src/tensor.rs)", () => {
    const header = '{"test":{"dtype":"I32","shape":[2,2],"data_offsets":[0,16]}}';
    const { tensors } = readSafetensors(rawFile(header, 16));
    expect(tensors.get("test")).toMatchObject({ dtype: "I32", shape: [2, 2] });
    expect(() => float32Values(tensors.get("test") as StoredTensor, "test")).toThrow(
      'tensor "test" is I32; only F32, F16 and BF16 are read',
    );
  });

  it("widens F16 and BF16 to float32 exactly (values from IEEE 754 and bfloat16's definition)", () => {
    // F16: 1, -2, 65504 (largest), 2^-24 (smallest subnormal), 1/3 rounded, -0, ∞, 2^-14 (smallest normal).
    const half = Uint16Array.of(0x3c00, 0xc000, 0x7bff, 0x0001, 0x3555, 0x8000, 0x7c00, 0x0400);
    // BF16: 1, -3, π rounded, ∞, 2^-133 (a subnormal).
    const brain = Uint16Array.of(0x3f80, 0xc040, 0x4049, 0x7f80, 0x0001);
    const file = rawFile(
      {
        half: { dtype: "F16", shape: [8], data_offsets: [0, 16] },
        brain: { dtype: "BF16", shape: [5], data_offsets: [16, 26] },
      },
      new Uint8Array([...new Uint8Array(half.buffer), ...new Uint8Array(brain.buffer)]),
    );
    const { tensors } = readSafetensors(file);
    expect(values(tensors.get("half"))).toEqual([
      1,
      -2,
      65504,
      2 ** -24,
      0.333251953125,
      -0,
      Number.POSITIVE_INFINITY,
      2 ** -14,
    ]);
    expect(values(tensors.get("brain"))).toEqual([
      1,
      -3,
      3.140625,
      Number.POSITIVE_INFINITY,
      2 ** -133,
    ]);
  });

  const valid = writeSafetensors([
    ["w", { shape: [2, 2], values: Float32Array.of(1, 2, 3, 4) }],
    ["b", { shape: [2], values: Float32Array.of(5, 6) }],
  ]);
  it.each<[string, Uint8Array, string]>([
    ["fewer bytes than its header length takes", valid.subarray(0, 5), "truncated: 5 bytes"],
    [
      "a header length beyond the file",
      valid.subarray(0, 30),
      "header length 112 runs past the end of the file (30 bytes)",
    ],
    [
      "its data cut short",
      valid.subarray(0, valid.length - 4),
      'tensor "b" ends at byte 24, past the 20-byte buffer (truncated file?)',
    ],
    ["a header that is not JSON", rawFile('{"w": {', 0), "the header is not valid JSON"],
    [
      "a header that is not an object",
      rawFile("[1, 2]", 0),
      'the header must be a JSON object, it starts with "["',
    ],
    [
      "a header that is not UTF-8",
      rawFile(Uint8Array.of(0x7b, 0xff, 0x7d), 0),
      "the header is not valid UTF-8",
    ],
    [
      "overlapping tensors",
      rawFile({ w: f32([2, 2], 0), b: f32([2], 8) }, 16),
      'tensor "b" at bytes 8..16 overlaps tensor "w"',
    ],
    [
      "a hole between tensors",
      rawFile({ w: f32([2], 0), b: f32([2], 12) }, 20),
      'bytes 8..12 between tensor "w" and tensor "b" belong to no tensor',
    ],
    [
      "offsets past the buffer",
      rawFile({ w: f32([2, 2], 0) }, 12),
      'tensor "w" ends at byte 16, past the 12-byte buffer',
    ],
    [
      "bytes after the last tensor",
      rawFile({ w: f32([2], 0) }, 12),
      "the last 4 bytes of the buffer belong to no tensor",
    ],
    [
      "offsets that do not match shape × dtype",
      rawFile({ w: { dtype: "F32", shape: [3], data_offsets: [0, 8] } }, 8),
      'tensor "w" spans 8 bytes, but F32 [3] takes 12',
    ],
    [
      "an unknown dtype",
      rawFile({ w: { dtype: "F128", shape: [1], data_offsets: [0, 16] } }, 16),
      'tensor "w" has unknown dtype "F128"',
    ],
    [
      "a name given twice",
      rawFile(`{"w": ${JSON.stringify(f32([1], 0))}, "w": ${JSON.stringify(f32([1], 4))}}`, 8),
      'the header names "w" more than once',
    ],
    [
      "metadata that is not strings",
      rawFile({ __metadata__: { step: 3 } }, 0),
      '"__metadata__" must map strings to strings, got {"step":3}',
    ],
    [
      "a torch.save zip",
      Uint8Array.of(0x50, 0x4b, 0x03, 0x04, 0x14, 0, 0, 0, 0, 0),
      "PyTorch's pickle format (torch.save, pytorch_model.bin) is not read",
    ],
    [
      "a legacy torch.save pickle",
      Uint8Array.of(0x80, 0x02, 0x8a, 0x0a, 0x6c, 0xfc, 0x9c, 0x46, 0xf9, 0x20),
      "Convert the checkpoint to safetensors",
    ],
  ])("refuses a file with %s, saying so", (_, file, message) => {
    expect(() => readSafetensors(file, "model.safetensors")).toThrow(`model.safetensors: `);
    expect(() => readSafetensors(file, "model.safetensors")).toThrow(message);
  });
});

describe("sharded checkpoints", () => {
  const a = writeSafetensors([["a", { shape: [2], values: Float32Array.of(1, 2) }]]);
  const b = writeSafetensors([["b", { shape: [1], values: Float32Array.of(3) }]]);
  const ab = writeSafetensors([
    ["a", { shape: [2], values: Float32Array.of(1, 2) }],
    ["b", { shape: [1], values: Float32Array.of(3) }],
  ]);
  const sharded = (weightMap: Record<string, string>, shards: Record<string, Uint8Array>) => {
    const index = { metadata: { total_size: 12 }, weight_map: weightMap };
    return new Map([
      ["model.safetensors.index.json", new TextEncoder().encode(JSON.stringify(index))],
      ...Object.entries(shards),
    ]);
  };
  const twoShards = { a: "one.safetensors", b: "two.safetensors" };

  it("reads every shard the index names", () => {
    const tensors = readWeights(sharded(twoShards, { "one.safetensors": a, "two.safetensors": b }));
    expect([...tensors.keys()]).toEqual(["a", "b"]);
    expect(values(tensors.get("b"))).toEqual([3]);
  });

  it.each<[string, Map<string, Uint8Array>, string]>([
    [
      "a shard that is missing",
      sharded(twoShards, { "one.safetensors": a }),
      'shard two.safetensors (holding 1 tensors, e.g. "b") is missing: the folder has ' +
        "model.safetensors.index.json, one.safetensors",
    ],
    [
      "a tensor its shard does not hold",
      sharded(twoShards, { "one.safetensors": a, "two.safetensors": a }),
      'shard two.safetensors holds tensor "a", but the index lists it in one.safetensors',
    ],
    [
      "a tensor the index does not list",
      sharded({ a: "one.safetensors" }, { "one.safetensors": ab }),
      'shard one.safetensors holds tensor "b", but the index does not list it',
    ],
    [
      "a tensor missing from every shard",
      sharded(
        { ...twoShards, c: "two.safetensors" },
        { "one.safetensors": a, "two.safetensors": b },
      ),
      'tensors "c" (in two.safetensors) are not in their shards',
    ],
    [
      "an index that is not JSON",
      new Map([["model.safetensors.index.json", new TextEncoder().encode("{")]]),
      "model.safetensors.index.json is not valid JSON",
    ],
    [
      "an index without a weight_map",
      new Map([["model.safetensors.index.json", new TextEncoder().encode("{}")]]),
      'model.safetensors.index.json: it has no "weight_map" object',
    ],
  ])("refuses %s, saying so", (_, files, message) => {
    expect(() => readWeights(files)).toThrow(message);
  });

  it("refuses a folder without safetensors weights, listing what it has", () => {
    expect(() => readWeights(new Map([["config.json", new Uint8Array()]]))).toThrow(
      "the model folder has neither model.safetensors nor model.safetensors.index.json; it has " +
        "config.json",
    );
  });
});
