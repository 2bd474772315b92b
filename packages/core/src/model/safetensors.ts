/**
 * The safetensors format (github.com/huggingface/safetensors), read and written in memory:
 *
 *   header length N (uint64 LE) | header: N bytes of UTF-8 JSON | byte buffer
 *
 * The header maps each tensor name to {dtype, shape, data_offsets: [begin, end]} (byte offsets into
 * the buffer, row-major, little-endian) and may hold "__metadata__", a string-to-string map.
 * Reading checks what the reference implementation checks (safetensors/src/tensor.rs,
 * `read_metadata` and `Metadata::validate`): the header fits in the file and the format's 100 MB
 * limit, is a JSON object, names each tensor once, and the tensors, sorted by offset, tile the whole
 * buffer from 0 to its end with no hole or overlap, each spanning exactly shape × dtype bytes.
 */

/** Bits per element of every dtype the format defines (tensor.rs, `Dtype::bitsize`). */
const DTYPE_BITS = {
  BOOL: 8,
  F4: 4,
  F6_E2M3: 6,
  F6_E3M2: 6,
  U8: 8,
  I8: 8,
  F8_E5M2: 8,
  F8_E4M3: 8,
  F8_E8M0: 8,
  F8_E4M3FNUZ: 8,
  F8_E5M2FNUZ: 8,
  I16: 16,
  U16: 16,
  F16: 16,
  BF16: 16,
  I32: 32,
  U32: 32,
  F32: 32,
  C64: 64,
  F64: 64,
  I64: 64,
  U64: 64,
} as const;

export type SafetensorsDtype = keyof typeof DTYPE_BITS;

/** A tensor as stored: its bytes are a view into the file, decoded on demand by `float32Values`. */
export interface StoredTensor {
  dtype: SafetensorsDtype;
  shape: number[];
  bytes: Uint8Array;
}

export interface Safetensors {
  metadata: Record<string, string>;
  /** In the order of their data in the file. */
  tensors: Map<string, StoredTensor>;
}

/** A float32 tensor to write. */
export interface Float32Tensor {
  shape: number[];
  values: Float32Array;
}

const HEADER_LENGTH_BYTES = 8;
const MAX_HEADER_BYTES = 100_000_000;
const METADATA_KEY = "__metadata__";

export const PICKLE_REFUSAL =
  "PyTorch's pickle format (torch.save, pytorch_model.bin) is not read: unpickling can run " +
  "arbitrary code. Convert the checkpoint to safetensors first, e.g. in Python with transformers: " +
  "AutoModelForCausalLM.from_pretrained(folder).save_pretrained(folder, safe_serialization=True)";

/** Parses and validates a safetensors file; `fileName` prefixes every error. */
export function readSafetensors(file: Uint8Array, fileName = "safetensors file"): Safetensors {
  const { metadata, dataStart, entries } = readSafetensorsHeader(file, file.length, fileName);
  const buffer = file.subarray(dataStart);
  const tensors = new Map<string, StoredTensor>();
  for (const { name, dtype, shape, begin, end } of entries) {
    tensors.set(name, { dtype, shape, bytes: buffer.subarray(begin, end) });
  }
  return { metadata, tensors };
}

/** A safetensors header, checked against the length of its file without reading the tensors. */
export interface SafetensorsHeader {
  metadata: Record<string, string>;
  /** Where the byte buffer starts in the file: 8 + the header's length. */
  dataStart: number;
  /** In the order of their data in the file; offsets are into the byte buffer. */
  entries: SafetensorsEntry[];
}

export interface SafetensorsEntry {
  name: string;
  dtype: SafetensorsDtype;
  shape: number[];
  begin: number;
  end: number;
}

/** How many leading bytes of a file readSafetensorsHeader needs: 8 + the header length it states. */
export function safetensorsHeaderBytes(prefix: Uint8Array): number {
  if (prefix.length < HEADER_LENGTH_BYTES) return HEADER_LENGTH_BYTES;
  const view = new DataView(prefix.buffer, prefix.byteOffset, prefix.byteLength);
  const length = view.getBigUint64(0, true);
  return length > MAX_HEADER_BYTES ? HEADER_LENGTH_BYTES : HEADER_LENGTH_BYTES + Number(length);
}

/**
 * Validates a safetensors file from its first bytes (at least safetensorsHeaderBytes of them) and
 * its length, so that a large file can be checked without holding it: everything readSafetensors
 * checks, since the checks concern the header and the buffer's length only.
 */
export function readSafetensorsHeader(
  prefix: Uint8Array,
  fileLength: number,
  fileName = "safetensors file",
): SafetensorsHeader {
  const fail: Fail = (message) => {
    throw new Error(`${fileName}: ${message}`);
  };
  if (fileLength < HEADER_LENGTH_BYTES) {
    fail(`truncated: ${fileLength} bytes, less than the 8-byte header length it starts with`);
  }
  const view = new DataView(prefix.buffer, prefix.byteOffset, prefix.byteLength);
  const headerLength = view.getBigUint64(0, true);
  const dataStart = BigInt(HEADER_LENGTH_BYTES) + headerLength;
  if (headerLength > MAX_HEADER_BYTES || dataStart > fileLength) {
    if (isPickle(prefix)) fail(PICKLE_REFUSAL);
    fail(
      headerLength > MAX_HEADER_BYTES
        ? `header length ${headerLength} exceeds the format's limit of ${MAX_HEADER_BYTES} bytes`
        : `header length ${headerLength} runs past the end of the file (${fileLength} bytes): ` +
            "the file is truncated or not safetensors",
    );
  }
  const headerEnd = Number(dataStart);
  if (prefix.length < headerEnd) {
    throw new Error(`${fileName}: ${prefix.length} bytes given, the header needs ${headerEnd}`);
  }
  const header = parseHeader(prefix.subarray(HEADER_LENGTH_BYTES, headerEnd), fail);
  const bufferLength = fileLength - headerEnd;
  const metadata = header[METADATA_KEY] === undefined ? {} : checkMetadata(header, fail);
  const entries = Object.entries(header)
    .filter(([name]) => name !== METADATA_KEY)
    .map(([name, info]) => checkEntry(name, info, fail))
    .sort((a, b) => a.begin - b.begin || a.end - b.end);

  let covered = 0;
  let previous = "the start of the buffer";
  for (const { name, dtype, shape, begin, end } of entries) {
    if (begin < covered) fail(`tensor "${name}" at bytes ${begin}..${end} overlaps ${previous}`);
    if (begin > covered) {
      fail(
        `bytes ${covered}..${begin} between ${previous} and tensor "${name}" belong to no tensor`,
      );
    }
    const bits = shape.reduce((product, size) => product * size, DTYPE_BITS[dtype]);
    if (bits % 8 !== 0 || end - begin !== bits / 8) {
      fail(
        `tensor "${name}" spans ${end - begin} bytes, but ${dtype} [${shape}] takes ${bits / 8}`,
      );
    }
    if (end > bufferLength) {
      fail(
        `tensor "${name}" ends at byte ${end}, past the ${bufferLength}-byte buffer (truncated file?)`,
      );
    }
    covered = end;
    previous = `tensor "${name}"`;
  }
  if (covered < bufferLength) {
    fail(`the last ${bufferLength - covered} bytes of the buffer belong to no tensor`);
  }
  return { metadata, dataStart: headerEnd, entries };
}

/** A stored F32, F16 or BF16 tensor's values as float32 (exact: both halves widen losslessly). */
export function float32Values(tensor: StoredTensor, name: string): Float32Array {
  // A copy: the file's bytes need not be 4-byte aligned. Hosts are little-endian, like the format.
  const copy = tensor.bytes.slice();
  switch (tensor.dtype) {
    case "F32":
      return new Float32Array(copy.buffer);
    case "BF16": {
      // bfloat16 is the top half of a float32's bits.
      const halves = new Uint16Array(copy.buffer);
      const bits = Uint32Array.from(halves, (half) => half << 16);
      return new Float32Array(bits.buffer);
    }
    case "F16":
      return Float32Array.from(new Uint16Array(copy.buffer), halfToFloat);
    default:
      throw new Error(`tensor "${name}" is ${tensor.dtype}; only F32, F16 and BF16 are read`);
  }
}

/** IEEE 754 binary16 bits to their value. */
function halfToFloat(bits: number): number {
  const sign = bits & 0x8000 ? -1 : 1;
  const exponent = (bits >> 10) & 0x1f;
  const fraction = bits & 0x3ff;
  if (exponent === 0) return sign * fraction * 2 ** -24;
  if (exponent === 0x1f) return fraction === 0 ? sign * Number.POSITIVE_INFINITY : Number.NaN;
  return sign * (1 + fraction / 1024) * 2 ** (exponent - 15);
}

/**
 * A safetensors file of float32 tensors, in the given order. The header is padded with spaces to a
 * multiple of 8 bytes, as the reference writer does, so every tensor starts 4-byte aligned.
 */
export function writeSafetensors(
  tensors: Iterable<[string, Float32Tensor]>,
  metadata: Record<string, string> = {},
): Uint8Array {
  const header: Record<string, unknown> = {};
  if (Object.keys(metadata).length > 0) header[METADATA_KEY] = metadata;
  const data: Float32Array[] = [];
  let offset = 0;
  for (const [name, { shape, values }] of tensors) {
    const size = shape.reduce((product, n) => product * n, 1);
    if (name === METADATA_KEY) throw new Error(`"${METADATA_KEY}" cannot name a tensor`);
    if (name in header) throw new Error(`tensor "${name}" is given twice`);
    if (size !== values.length) {
      throw new Error(
        `tensor "${name}" has ${values.length} values, but shape [${shape}] holds ${size}`,
      );
    }
    header[name] = { dtype: "F32", shape, data_offsets: [offset, offset + values.byteLength] };
    offset += values.byteLength;
    data.push(values);
  }
  const json = JSON.stringify(header);
  const padding = (8 - (new TextEncoder().encode(json).length % 8)) % 8;
  const headerBytes = new TextEncoder().encode(json + " ".repeat(padding));
  const file = new Uint8Array(HEADER_LENGTH_BYTES + headerBytes.length + offset);
  new DataView(file.buffer).setBigUint64(0, BigInt(headerBytes.length), true);
  file.set(headerBytes, HEADER_LENGTH_BYTES);
  let position = HEADER_LENGTH_BYTES + headerBytes.length;
  for (const values of data) {
    file.set(new Uint8Array(values.buffer, values.byteOffset, values.byteLength), position);
    position += values.byteLength;
  }
  return file;
}

/** torch.save's zip archive ("PK\3\4"), or a bare pickle (the PROTO opcode, protocol 2 to 5). */
function isPickle(file: Uint8Array): boolean {
  const zip = file[0] === 0x50 && file[1] === 0x4b && file[2] === 0x03 && file[3] === 0x04;
  const pickle = file[0] === 0x80 && (file[1] as number) >= 2 && (file[1] as number) <= 5;
  return zip || pickle;
}

type Fail = (message: string) => never;

function parseHeader(bytes: Uint8Array, fail: Fail): Record<string, unknown> {
  let text = "";
  try {
    text = new TextDecoder("utf-8", { fatal: true }).decode(bytes);
  } catch {
    fail("the header is not valid UTF-8");
  }
  if (!text.startsWith("{")) fail(`the header must be a JSON object, it starts with "${text[0]}"`);
  let header: unknown;
  try {
    header = JSON.parse(text);
  } catch (error) {
    fail(`the header is not valid JSON: ${(error as Error).message}`);
  }
  const seen = new Set<string>();
  for (const key of topLevelKeys(text)) {
    if (seen.has(key)) fail(`the header names "${key}" more than once`);
    seen.add(key);
  }
  return header as Record<string, unknown>;
}

/**
 * The keys of a JSON object's outermost level, repeats included (JSON.parse keeps only the last of
 * repeated keys). `json` is known to be valid JSON.
 */
function topLevelKeys(json: string): string[] {
  const keys: string[] = [];
  let depth = 0;
  let expectKey = false;
  for (let i = 0; i < json.length; i++) {
    const char = json[i];
    if (char === '"') {
      let end = i + 1;
      while (json[end] !== '"') end += json[end] === "\\" ? 2 : 1;
      if (depth === 1 && expectKey) keys.push(JSON.parse(json.slice(i, end + 1)));
      expectKey = false;
      i = end;
    } else if (char === "{" || char === "[") {
      depth++;
      expectKey = depth === 1;
    } else if (char === "}" || char === "]") {
      depth--;
    } else if (char === ",") {
      expectKey = depth === 1;
    }
  }
  return keys;
}

function checkMetadata(header: Record<string, unknown>, fail: Fail): Record<string, string> {
  const metadata = header[METADATA_KEY];
  const isObject = typeof metadata === "object" && metadata !== null && !Array.isArray(metadata);
  if (!isObject || Object.values(metadata).some((value) => typeof value !== "string")) {
    fail(`"${METADATA_KEY}" must map strings to strings, got ${JSON.stringify(metadata)}`);
  }
  return metadata as Record<string, string>;
}

function checkEntry(name: string, info: unknown, fail: Fail): SafetensorsEntry {
  const { dtype, shape, data_offsets: offsets } = (info ?? {}) as Record<string, unknown>;
  const isCount = (n: unknown) => Number.isSafeInteger(n) && (n as number) >= 0;
  if (typeof dtype !== "string" || !(dtype in DTYPE_BITS)) {
    fail(`tensor "${name}" has unknown dtype ${JSON.stringify(dtype)}`);
  }
  if (!Array.isArray(shape) || !shape.every(isCount)) {
    fail(`tensor "${name}" has shape ${JSON.stringify(shape)}, not a list of sizes`);
  }
  const [begin, end] = Array.isArray(offsets) ? offsets : [];
  if (!Array.isArray(offsets) || offsets.length !== 2 || !isCount(begin) || !isCount(end)) {
    fail(`tensor "${name}" has data_offsets ${JSON.stringify(offsets)}, not [begin, end]`);
  }
  if (end < begin)
    fail(`tensor "${name}" has data_offsets [${begin}, ${end}] that end before they begin`);
  return { name, dtype: dtype as SafetensorsDtype, shape: shape as number[], begin, end };
}
