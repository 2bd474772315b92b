// npm run bench:shared-base: what a LoRA trial of a study's model costs to start on a runner whose
// thread just trained another trial of that model, with and without sharing the model:
// - without: each trial reads the model's files from the database, its worker gets a copy of them
//   and builds its own weights (a content hash never seen, so the thread keeps nothing it can use);
// - with: the runner's ModelFilesCache reads the files once into shared memory, and the thread
//   starts from the weights it kept (BaseCache).
// Each variant runs in a process of its own, with the runner's real trial worker; the medians over
// trials 2..N of the start (file read; post to the worker's baseline, which prepares the data;
// baseline to the first step, which builds the model and trains one step) and of the process's
// resident memory at the first step. BENCH_LAYERS and BENCH_D_MODEL size the model.
import { spawnSync } from "node:child_process";
import { createTokenizer, tokenizerFolderFiles } from "@attune/core/data";
import { createGPT, disposeGPT, exportHuggingFaceModel, type ModelFiles } from "@attune/core/model";
import { selectBackend } from "@attune/core/train";
import {
  createDatabase,
  createModel,
  type Database,
  getModel,
  readModelFiles,
  setModelStatus,
  storeBlob,
} from "@attune/db";
import { ensureDatabase } from "@attune/db/embedded";
import { embeddedDataFolder } from "@attune/db/paths";
import { createScratchDatabase } from "@attune/db/scratch";
import { seedProject } from "@attune/db/seed";
import { ModelFilesCache } from "../src/model-files.ts";
import { TrainerThreads } from "../src/trainer-threads.ts";
import type { ToRunner, ToWorker, TrialWork } from "../src/worker-protocol.ts";
import { mobyDickSample } from "./moby-dick.ts";

const TRIALS = Number(process.env.BENCH_TRIALS ?? 6);
const LAYERS = Number(process.env.BENCH_LAYERS ?? 8);
const D_MODEL = Number(process.env.BENCH_D_MODEL ?? 512);
const MIB = 2 ** 20;

type Variant = "without" | "with";

interface Start {
  readMs: number;
  toBaselineMs: number;
  toFirstStepMs: number;
  rssMiB: number;
}

function median(values: number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  const middle = Math.floor(sorted.length / 2);
  return sorted.length % 2
    ? (sorted[middle] ?? 0)
    : ((sorted[middle - 1] ?? 0) + (sorted[middle] ?? 0)) / 2;
}

/** A GPT-2 of LAYERS × D_MODEL with a byte tokenizer, stored as a ready model. */
async function storeModel(db: Database) {
  await selectBackend();
  const config = { vocabSize: 257, seqLen: 128, layers: LAYERS, dModel: D_MODEL, heads: 8 };
  const gpt = createGPT(config, 1);
  const folder = exportHuggingFaceModel(gpt, { bosTokenId: 256, eosTokenId: 256 });
  disposeGPT(gpt);
  for (const [name, bytes] of tokenizerFolderFiles(createTokenizer("byte")))
    folder.set(name, bytes);
  const { project } = await seedProject(db);
  const files = [];
  for (const [name, bytes] of folder) {
    files.push({ name, sizeBytes: bytes.length, sha256: await storeBlob(db, bytes) });
  }
  const model = await createModel(db, {
    projectId: project.id,
    name: "m",
    source: "upload",
    files,
  });
  return setModelStatus(db, model.id, { status: "ready", architecture: "gpt2" });
}

/** One LoRA trial of one step in the runner's trial worker, timed from asking for its files. */
async function startTrial(
  threads: TrainerThreads,
  files: () => Promise<{ files: ModelFiles; contentHash: string; release?: () => void }>,
  text: string,
  seed: number,
): Promise<Start> {
  const asked = performance.now();
  const base = await files();
  const read = performance.now();
  const work: TrialWork = {
    task: "language-modelling",
    dataset: { format: "text", samples: [{ text }] },
    settings: { finetune: "lora", lora_r: 8, seq_len: 64, batch_size: 4 },
    budget: { steps: 1 },
    seed,
    objective: { metric: "val_loss", direction: "minimize" },
    baseModel: { files: base.files, contentHash: base.contentHash },
  };
  const worker = threads.acquire();
  const times: number[] = [];
  let rssMiB = 0;
  await new Promise<void>((resolve, reject) => {
    const tell = (message: ToWorker) => worker.postMessage(message);
    worker.on("message", (message: ToRunner) => {
      if (message.type === "baseline") times.push(performance.now());
      if (message.type === "step") {
        times.push(performance.now());
        rssMiB = process.memoryUsage().rss / MIB;
      }
      if (message.type === "eval") tell({ type: "verdict", id: message.id, stop: false });
      if (message.type === "done") resolve();
      if (message.type === "failed") reject(new Error(message.message));
    });
    tell({ type: "train", work });
  });
  threads.release(worker, true);
  base.release?.();
  const [baseline = read, firstStep = read] = times;
  return {
    readMs: read - asked,
    toBaselineMs: baseline - read,
    toFirstStepMs: firstStep - baseline,
    rssMiB,
  };
}

async function runVariant(variant: Variant, url: string, modelId: string) {
  const db = createDatabase(url, { applicationName: "attune_bench" });
  const model = await getModel(db, modelId);
  if (!model) throw new Error(`model ${modelId} is gone`);
  const cache = new ModelFilesCache(db, 4096 * MIB);
  const threads = new TrainerThreads(1);
  const text = await mobyDickSample(20_000);
  const files =
    variant === "with"
      ? () => cache.acquire(model)
      : async () => ({
          files: await readModelFiles(db, model.id),
          contentHash: `${model.contentHash}-${Math.random()}`,
        });
  const starts: Start[] = [];
  for (let trial = 0; trial < TRIALS; trial++) {
    starts.push(await startTrial(threads, files, text, trial));
  }
  await threads.close();
  await db.$client.end();
  const later = starts.slice(1);
  const medians = Object.fromEntries(
    (["readMs", "toBaselineMs", "toFirstStepMs", "rssMiB"] as const).map((name) => [
      name,
      median(later.map((start) => start[name])),
    ]),
  ) as unknown as Start;
  console.log(JSON.stringify(medians));
}

/** The variant's medians, from a process of its own (its last line of output). */
function measure(variant: Variant, url: string, modelId: string): Start {
  const run = spawnSync(
    process.execPath,
    ["--import", "tsx", import.meta.filename, variant, url, modelId],
    {
      encoding: "utf8",
      stdio: ["ignore", "pipe", "inherit"],
      env: { ...process.env, ATTUNE_LOG_LEVEL: "warn" },
    },
  );
  if (run.status !== 0) throw new Error(`the ${variant} run exited with ${run.status}`);
  const start = JSON.parse(run.stdout.trim().split("\n").at(-1) ?? "") as Start;
  const total = start.readMs + start.toBaselineMs + start.toFirstStepMs;
  console.log(
    `${variant.padEnd(8)} read ${start.readMs.toFixed(0).padStart(6)} ms  post to baseline ${start.toBaselineMs.toFixed(0).padStart(6)} ms  baseline to step 1 ${start.toFirstStepMs.toFixed(0).padStart(6)} ms  total ${total.toFixed(0).padStart(6)} ms  resident at step 1 ${start.rssMiB.toFixed(0).padStart(5)} MiB`,
  );
  return start;
}

const [, , child, childUrl, childModel] = process.argv;
if (child === "with" || child === "without") {
  await runVariant(child, childUrl as string, childModel as string);
} else {
  const server = await ensureDatabase(embeddedDataFolder());
  const scratch = await createScratchDatabase(server.url, "attune_bench");
  try {
    const model = await storeModel(scratch.db);
    console.log(
      `model: ${LAYERS} layers × d_model ${D_MODEL}, ${(model.sizeBytes / MIB).toFixed(0)} MiB; trials 2..${TRIALS}, medians`,
    );
    const total = (start: Start) => start.readMs + start.toBaselineMs + start.toFirstStepMs;
    const without = measure("without", scratch.url, model.id);
    const withSharing = measure("with", scratch.url, model.id);
    console.log(
      `summary: a second LoRA trial of a ${(model.sizeBytes / MIB).toFixed(0)} MiB model starts in ${total(withSharing).toFixed(0)} ms sharing it, ${total(without).toFixed(0)} ms without; resident ${withSharing.rssMiB.toFixed(0)} MiB against ${without.rssMiB.toFixed(0)} MiB`,
    );
  } finally {
    await scratch.drop();
    await server.stop();
  }
}
