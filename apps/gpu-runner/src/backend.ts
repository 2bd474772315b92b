import { execFileSync } from "node:child_process";
import { createRequire } from "node:module";
import { cpus } from "node:os";
import type { RunnerSettings } from "./settings.ts";

export interface BackendChoice {
  backend: "tensorflow" | "wasm" | "cpu";
  /** Why this one: what was found, and what was missing for a faster one. */
  reason: string;
  device: string;
}

const require = createRequire(import.meta.url);

function installed(name: string): boolean {
  try {
    require.resolve(name);
    return true;
  } catch {
    return false;
  }
}

function gpuName(): string | undefined {
  try {
    return execFileSync("nvidia-smi", ["--query-gpu=name", "--format=csv,noheader"], {
      encoding: "utf8",
      timeout: 5_000,
    })
      .trim()
      .split("\n")[0];
  } catch {
    return undefined;
  }
}

/**
 * The fastest TensorFlow.js backend this machine has, in order: tfjs-node-gpu (CUDA), tfjs-node
 * (native CPU), wasm, plain JavaScript. A backend asked for by name must be installed.
 */
export function chooseBackend(wanted: RunnerSettings["backend"]): BackendChoice {
  const cpu = `CPU: ${cpus()[0]?.model.trim() ?? "unknown"} x${cpus().length}`;
  const nodeGpu = installed("@tensorflow/tfjs-node-gpu");
  const nodeCpu = installed("@tensorflow/tfjs-node");
  const wasm = installed("@tensorflow/tfjs-backend-wasm");
  const gpu = nodeGpu ? gpuName() : undefined;

  if ((wanted === "auto" || wanted === "tensorflow") && nodeGpu && gpu) {
    return {
      backend: "tensorflow",
      reason: "@tensorflow/tfjs-node-gpu is installed and a GPU answers",
      device: `GPU: ${gpu}`,
    };
  }
  if ((wanted === "auto" || wanted === "tensorflow") && nodeCpu) {
    return {
      backend: "tensorflow",
      reason: "@tensorflow/tfjs-node is installed (no usable tfjs-node-gpu)",
      device: cpu,
    };
  }
  if (wanted === "tensorflow") {
    throw new Error(
      "backend tensorflow was asked for but neither @tensorflow/tfjs-node-gpu (with a GPU) nor @tensorflow/tfjs-node is installed",
    );
  }
  const missing = nodeGpu
    ? "tfjs-node-gpu is installed but no GPU answers nvidia-smi"
    : "@tensorflow/tfjs-node-gpu is not installed";
  if ((wanted === "auto" || wanted === "wasm") && wasm) {
    return {
      backend: "wasm",
      reason: `${missing}; using @tensorflow/tfjs-backend-wasm`,
      device: cpu,
    };
  }
  if (wanted === "wasm")
    throw new Error(
      "backend wasm was asked for but @tensorflow/tfjs-backend-wasm is not installed",
    );
  return { backend: "cpu", reason: `${missing}, and no wasm backend is installed`, device: cpu };
}
