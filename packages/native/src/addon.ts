/**
 * The compiled addon (src/native.cc, built by node-gyp at install) and OpenBLAS, which it opens at
 * run time. Tensor arguments are byte offsets into `heap`, the wasm backend's memory.
 */
import { existsSync, readFileSync } from "node:fs";
import { fileURLToPath } from "node:url";
import { aptInstallCommand } from "./debian.ts";
import { openBlasLibrary, openBlasPackage } from "./openblas.ts";

type Heap = ArrayBuffer;

export interface Addon {
  /** Opens OpenBLAS with one thread; returns the core type it uses. */
  loadBlas(path: string): string;
  gemm(
    heap: Heap,
    batch: number,
    transposeA: boolean,
    transposeB: boolean,
    m: number,
    n: number,
    k: number,
    a: number,
    b: number,
    c: number,
  ): void;
  linear(
    heap: Heap,
    x: number,
    weight: number,
    bias: number,
    out: number,
    rows: number,
    inputs: number,
    outputs: number,
  ): void;
  linearBackward(
    heap: Heap,
    dy: number,
    x: number,
    weight: number,
    dx: number,
    dweight: number,
    dbias: number,
    rows: number,
    inputs: number,
    outputs: number,
    /** Add dy · weightᵀ to dx rather than overwrite it. */
    addToDx: boolean,
  ): void;
  layerNorm(
    heap: Heap,
    x: number,
    gain: number,
    bias: number,
    out: number,
    mean: number,
    inverseStd: number,
    rows: number,
    width: number,
    epsilon: number,
  ): void;
  /** layerNorm of sum = a + b. */
  addLayerNorm(
    heap: Heap,
    a: number,
    b: number,
    sum: number,
    gain: number,
    bias: number,
    out: number,
    mean: number,
    inverseStd: number,
    rows: number,
    width: number,
    epsilon: number,
  ): void;
  layerNormBackward(
    heap: Heap,
    dy: number,
    x: number,
    gain: number,
    mean: number,
    inverseStd: number,
    /** Added to dx when given. */
    dsum: number | null,
    dx: number,
    dgain: number,
    dbias: number,
    rows: number,
    width: number,
  ): void;
  gelu(heap: Heap, x: number, out: number, size: number): void;
  geluBackward(heap: Heap, dy: number, x: number, dx: number, size: number): void;
  attention(
    heap: Heap,
    query: number,
    key: number,
    value: number,
    out: number,
    probabilities: number,
    batch: number,
    heads: number,
    kvHeads: number,
    length: number,
    headDim: number,
    scale: number,
  ): void;
  attentionBackward(
    heap: Heap,
    dy: number,
    query: number,
    key: number,
    value: number,
    probabilities: number,
    dquery: number,
    dkey: number,
    dvalue: number,
    batch: number,
    heads: number,
    kvHeads: number,
    length: number,
    headDim: number,
    scale: number,
  ): void;
  softmaxCrossEntropy(
    heap: Heap,
    logits: number,
    targets: number,
    loss: number,
    dlogits: number,
    rows: number,
    classes: number,
  ): void;
  adam(
    heap: Heap,
    parameter: number,
    gradient: number,
    m: number,
    v: number,
    parameterOut: number,
    mOut: number,
    vOut: number,
    size: number,
    beta1: number,
    beta2: number,
    epsilon: number,
    stepSize: number,
    biasCorrection2Root: number,
    decay: number,
  ): void;
  gather(
    heap: Heap,
    table: number,
    ids: number,
    out: number,
    count: number,
    width: number,
    vocab: number,
  ): void;
  scatterAdd(
    heap: Heap,
    dy: number,
    ids: number,
    out: number,
    count: number,
    width: number,
    vocab: number,
  ): void;
  add(heap: Heap, a: number, b: number, out: number, size: number): void;
  sumOfSquares(heap: Heap, x: number, size: number): number;
  /** Permutes a [d0, d1, d2, d3] tensor of 4-byte elements: out's dimension i is x's perm[i]. */
  transpose(
    heap: Heap,
    x: number,
    out: number,
    d0: number,
    d1: number,
    d2: number,
    d3: number,
    p0: number,
    p1: number,
    p2: number,
    p3: number,
  ): void;
}

export function loadAddon(): Addon {
  // Found on first use, not on import: in a page's server bundle (the API's router, imported to
  // prefetch) Turbopack makes this URL a relative one that fileURLToPath refuses, and reads
  // never load the addon.
  const addonPath = fileURLToPath(new URL("../build/Release/attune_native.node", import.meta.url));
  if (!existsSync(addonPath)) {
    throw new Error(
      `the addon is not built (no ${addonPath}): install g++, make and python3, then run npm rebuild @attune/native`,
    );
  }
  // process.dlopen rather than require: a bundler (Next.js) replaces require with its own, which
  // cannot load a path known only at run time.
  const addon = { exports: {} as Addon };
  process.dlopen(addon, addonPath);
  return addon.exports;
}

/**
 * Opens OpenBLAS, first choosing its core type (see chooseOpenBlasCoreType); returns the core
 * type it runs with.
 */
export function loadOpenBlas(addon: Addon): string {
  chooseOpenBlasCoreType();
  try {
    return addon.loadBlas(openBlasLibrary);
  } catch (error) {
    const message = error instanceof Error ? error.message : String(error);
    const install = aptInstallCommand([openBlasPackage]);
    throw new Error(`OpenBLAS does not load (${message}): install it with \`${install}\``);
  }
}

/**
 * Sets OPENBLAS_CORETYPE for this CPU unless it is already set, and returns it (undefined: left
 * to OpenBLAS's own detection). It must be set before OpenBLAS is loaded, which reads it once; a
 * child process (the PyTorch benchmark) inherits it. Debian's OpenBLAS 0.3.21 predates recent
 * CPUs and detects them as older ones (a Xeon with AVX-512 as Prescott, an AVX-512 EPYC as
 * Haswell), at half the sgemm speed or less. The self-test checks the results it gives.
 */
export function chooseOpenBlasCoreType(): string | undefined {
  const already = process.env.OPENBLAS_CORETYPE;
  if (already !== undefined && already !== "") return already;
  const coreType = coreTypeForFlags(cpuFlags());
  if (coreType !== undefined) process.env.OPENBLAS_CORETYPE = coreType;
  return coreType;
}

/** OpenBLAS's kernels for AVX-512 (SkylakeX) or AVX2 with FMA (Haswell), by the CPU's flags. */
export function coreTypeForFlags(flags: Set<string>): string | undefined {
  if (["avx512f", "avx512bw", "avx512dq", "avx512vl"].every((flag) => flags.has(flag))) {
    return "SkylakeX";
  }
  if (flags.has("avx2") && flags.has("fma")) return "Haswell";
  return undefined;
}

/** The CPU's feature flags from /proc/cpuinfo; empty where there is none. */
function cpuFlags(): Set<string> {
  if (process.arch !== "x64" || !existsSync("/proc/cpuinfo")) return new Set();
  const line = readFileSync("/proc/cpuinfo", "utf8")
    .split("\n")
    .find((entry) => entry.startsWith("flags"));
  return new Set(line?.split(":")[1]?.trim().split(/\s+/) ?? []);
}
