/**
 * `npm run bench:finetune`: training speed and peak memory of fine-tuning modes on a model of
 * GPT-2 small's shape (12 layers, dModel 768, 12 heads, vocab 50,257, seqLen 128, batch 8,
 * initialised randomly, random tokens), on the backend this machine picks, against the same modes
 * in PyTorch (bench/finetune_pytorch.py, one thread each):
 *
 *   full    every weight trains
 *   lora    LoRA r=8, alpha 16, on query and value; the base frozen
 *   freeze  the last block and the final norm train (the tied head stays frozen)
 *
 * Memory is the peak resident set size (maxRSS) of the process that trained: weights, optimizer
 * state, gradients and activations, plus the runtime (Node and tfjs, or Python and PyTorch) and
 * the allocator's slack. Each (mode, side) runs in a process of its own so that the peak is its
 * own (the wasm heap never shrinks). tfjs's own count of tensor bytes is no substitute: it counts
 * a buffer once per tensor that shares it (reshapes, the native kernels' shared Identity).
 *
 * Runs alternate: ours then PyTorch's for each mode in turn. BENCH_STEPS timed steps per run
 * (default 3) after one warm-up step. The last line is the machine-readable result:
 *
 *   bench:finetune full_tokens_per_s=<n> lora_tokens_per_s=<n> lora_vs_pytorch=<ratio> full_peak_mb=<n> lora_peak_mb=<n>
 *
 * (lora_vs_pytorch: our LoRA tokens/s over PyTorch's; peak_mb: our processes' maxRSS.)
 */
import { spawn, spawnSync } from "node:child_process";
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { parseArgs } from "node:util";
import { chooseOpenBlasCoreType } from "@attune/native";
import { WindowSampler } from "../src/data/batches.ts";
import { createGPT } from "../src/model/gpt.ts";
import { Random } from "../src/random.ts";
import { selectBackend } from "../src/train/backend.ts";
import { type Finetune, finetuneModel } from "../src/train/finetune.ts";
import { Optimizer } from "../src/train/optimizers.ts";
import { Trainer } from "../src/train/trainer.ts";

const modes = {
  full: { mode: "full" },
  lora: {
    mode: "lora",
    lora: { rank: 8, alpha: 16, dropout: 0, targets: ["query", "value"], rslora: false },
  },
  freeze: { mode: "freeze", trainableBlocks: 1 },
} satisfies Record<string, Finetune>;
type ModeName = keyof typeof modes;

const config = { vocabSize: 50257, seqLen: 128, layers: 12, dModel: 768, heads: 12, mlpRatio: 4 };
const batchSize = 8;
const steps = Number(process.env.BENCH_STEPS ?? 3);
const learningRate = 1e-4;
const tokensPerStep = batchSize * config.seqLen;
/** Debian's Python, which python3-torch installs into (bench:train installs it when missing). */
const python = "/usr/bin/python3";

interface RunResult {
  ms: number[];
  peakMb: number;
}

const flags = parseArgs({ options: { child: { type: "string" }, tokens: { type: "string" } } });
if (flags.values.child !== undefined) {
  await childRun(flags.values.child as ModeName, flags.values.tokens as string);
} else {
  await compare();
}

/** One mode of ours: warm-up and timed steps; prints their durations and the peak RSS as JSON. */
async function childRun(mode: ModeName, tokensFile: string) {
  const backend = await selectBackend();
  const tokens = new Int32Array(new Uint8Array(await readBytes(tokensFile)).buffer);
  const model = finetuneModel(createGPT(config, 0), modes[mode], 1);
  const trainer = new Trainer({
    model,
    optimizer: new Optimizer({ kind: "adamw" }, model.parameters),
    train: new WindowSampler(tokens, { seqLen: config.seqLen, batchSize, seed: 1 }),
    budget: { steps: Number.MAX_SAFE_INTEGER },
    learningRate,
    seed: 2,
  });
  const ms: number[] = [];
  for (let i = 0; i <= steps; i++) {
    const started = performance.now();
    const report = trainer.trainStep();
    if ("diverged" in report) throw new Error(`benchmark training diverged: ${report.diverged}`);
    if (i > 0) ms.push(performance.now() - started);
  }
  const peakMb = process.resourceUsage().maxRSS / 1024;
  console.log(JSON.stringify({ backend: backend.name, ms, peakMb }));
}

async function readBytes(file: string): Promise<Uint8Array> {
  const { readFile } = await import("node:fs/promises");
  return readFile(file);
}

async function compare() {
  // Before anything loads OpenBLAS, so that our processes and PyTorch's use the same core type.
  const coreType = chooseOpenBlasCoreType();
  console.log(
    `GPT-2 small's shape, batch ${batchSize} × ${config.seqLen} tokens, ${steps} timed steps per run; OpenBLAS core type ${coreType ?? "OpenBLAS's own detection"}; one thread each`,
  );
  ensurePyTorch();
  const folder = mkdtempSync(join(tmpdir(), "attune-bench-finetune-"));
  try {
    const random = new Random(0);
    const tokens = Int32Array.from({ length: 200_000 }, () => random.int(0, config.vocabSize - 1));
    const tokensFile = join(folder, "tokens.bin");
    writeFileSync(tokensFile, tokens);
    const results = new Map<string, RunResult>();
    for (const mode of Object.keys(modes) as ModeName[]) {
      const ours = await runProcess(process.execPath, [
        ...process.execArgv,
        fileURLToPath(import.meta.url),
        "--child",
        mode,
        "--tokens",
        tokensFile,
      ]);
      const script = fileURLToPath(new URL("finetune_pytorch.py", import.meta.url));
      const settings = { ...config, batchSize, learningRate, steps, seed: 0, mode };
      const theirs = await runProcess(python, [script, JSON.stringify(settings), tokensFile]);
      results.set(`ours ${mode}`, ours);
      results.set(`pytorch ${mode}`, theirs);
      console.log(
        `${mode.padEnd(6)}  ours ${tokensPerSecond(ours)} tokens/s, peak RSS ${Math.round(ours.peakMb)} MB  |  PyTorch ${tokensPerSecond(theirs)} tokens/s, peak RSS ${Math.round(theirs.peakMb)} MB`,
      );
    }
    const get = (name: string) => results.get(name) as RunResult;
    const [full, lora] = [get("ours full"), get("ours lora")];
    console.log(
      `lora/full tokens/s: ours ${(tokensPerSecond(lora) / tokensPerSecond(full)).toFixed(2)}, PyTorch ${(tokensPerSecond(get("pytorch lora")) / tokensPerSecond(get("pytorch full"))).toFixed(2)}; lora/full peak RSS: ours ${(lora.peakMb / full.peakMb).toFixed(2)}, PyTorch ${(get("pytorch lora").peakMb / get("pytorch full").peakMb).toFixed(2)}`,
    );
    console.log(
      `bench:finetune full_tokens_per_s=${tokensPerSecond(full)} lora_tokens_per_s=${tokensPerSecond(lora)} lora_vs_pytorch=${(tokensPerSecond(lora) / tokensPerSecond(get("pytorch lora"))).toFixed(2)} full_peak_mb=${Math.round(full.peakMb)} lora_peak_mb=${Math.round(lora.peakMb)}`,
    );
  } finally {
    rmSync(folder, { recursive: true, force: true });
  }
}

function tokensPerSecond(result: RunResult): number {
  const sorted = [...result.ms].sort((a, b) => a - b);
  return Math.round((tokensPerStep * 1000) / (sorted[Math.floor(sorted.length / 2)] as number));
}

/** Runs a benchmark process with one BLAS thread; its last stdout line is its RunResult. */
function runProcess(command: string, args: string[]): Promise<RunResult> {
  const child = spawn(command, args, {
    stdio: ["ignore", "pipe", "inherit"],
    env: { ...process.env, OMP_NUM_THREADS: "1", OPENBLAS_NUM_THREADS: "1", MKL_NUM_THREADS: "1" },
  });
  let output = "";
  child.stdout.on("data", (chunk) => {
    output += chunk;
  });
  return new Promise((resolve, reject) => {
    child.on("exit", (code) => {
      const last = output.trim().split("\n").at(-1) ?? "";
      if (code !== 0) reject(new Error(`${command} ${args.join(" ")} exited with ${code}`));
      else resolve(JSON.parse(last) as RunResult);
    });
  });
}

/** Fails with what to install when `import torch` fails. */
function ensurePyTorch() {
  if (spawnSync(python, ["-c", "import torch"], { stdio: "ignore" }).status === 0) return;
  throw new Error("PyTorch is missing: install it with `apt-get install python3-torch` (as root)");
}
