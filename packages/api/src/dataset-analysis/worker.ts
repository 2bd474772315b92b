// A worker thread's entry point: answers the analysis request it was started with, then ends.
import { parentPort, workerData } from "node:worker_threads";
import { DatasetError } from "@attune/core/data";
import { type AnalysisRequest, analyseDataset } from "./analysis.ts";

export type AnalysisReply =
  | { ok: true; value: unknown }
  | { ok: false; message: string; datasetError: boolean };

const { request } = workerData as { request: AnalysisRequest };
let reply: AnalysisReply;
try {
  reply = { ok: true, value: await analyseDataset(request) };
} catch (error) {
  const datasetError = error instanceof DatasetError;
  reply = { ok: false, message: (error as Error).message, datasetError };
}
parentPort?.postMessage(reply);
