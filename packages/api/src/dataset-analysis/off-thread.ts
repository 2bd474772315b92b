// Dataset analysis in a worker thread, so that parsing and tokenizing tens of MiB never stalls the
// web process's other requests (a 31 MiB upload held /api/health for 6.5 s when done in line).
import { Worker } from "node:worker_threads";
import { DatasetError } from "@attune/core/data";
import type { AnalysisRequest, AnalysisResult, AnalysisTask } from "./analysis.ts";
import type { AnalysisReply } from "./worker.ts";

/** Analyses at once; each holds its dataset several times over, so more wait their turn. */
const MAX_CONCURRENT = 2;
let running = 0;
const waiting: (() => void)[] = [];

/** The analysis's result; a DatasetError when the content does not parse. */
export async function analyseOffThread<Task extends AnalysisTask>(
  request: AnalysisRequest<Task>,
): Promise<AnalysisResult<Task>> {
  if (running >= MAX_CONCURRENT) await new Promise<void>((resolve) => waiting.push(resolve));
  running++;
  try {
    return (await runWorker(request)) as AnalysisResult<Task>;
  } finally {
    running--;
    waiting.shift()?.();
  }
}

function runWorker(request: AnalysisRequest): Promise<unknown> {
  const worker = startWorker(request);
  return new Promise((resolve, reject) => {
    worker.once("message", (reply: AnalysisReply) => {
      if (reply.ok) resolve(reply.value);
      else reject(reply.datasetError ? new DatasetError(reply.message) : new Error(reply.message));
    });
    worker.once("error", reject);
    worker.once("exit", (code) => {
      reject(new Error(`the dataset analysis thread ended (exit code ${code}) without an answer`));
    });
  });
}

/** The uploaded bytes move to the thread rather than being copied. */
function startWorker(request: AnalysisRequest): Worker {
  const buffer = "bytes" in request.source ? request.source.bytes.buffer : undefined;
  const transferList = buffer instanceof ArrayBuffer ? [buffer] : [];
  // Next.js compiles worker.ts into its bundle and rewrites this URL to the compiled file.
  if (process.env.NEXT_RUNTIME) {
    return new Worker(new URL("./worker.ts", import.meta.url), {
      workerData: { request },
      transferList,
    });
  }
  const entry = new URL("./worker.ts", import.meta.url).href;
  return new Worker(new URL("./worker-from-source.mjs", import.meta.url), {
    workerData: { request, entry },
    transferList,
  });
}
