import { execFileSync } from "node:child_process";
import { cpus } from "node:os";
import { type BackendChoice, selectBackend } from "@attune/core/train";

export interface RunnerBackend extends BackendChoice {
  /** What the backend computes on, as shown on the dashboard. */
  device: string;
}

function gpuName(): string {
  try {
    const names = execFileSync("nvidia-smi", ["--query-gpu=name", "--format=csv,noheader"], {
      encoding: "utf8",
      timeout: 5_000,
    }).trim();
    return `GPU: ${names.split("\n").join(", ")}`;
  } catch {
    return "GPU: (nvidia-smi did not answer)";
  }
}

/** Loads the training backend the trials will use (see packages/core) and names its device. */
export async function loadBackend(): Promise<RunnerBackend> {
  const choice = await selectBackend();
  const device =
    choice.name === "tensorflow-gpu"
      ? gpuName()
      : `CPU: ${cpus()[0]?.model.trim() ?? "unknown"} x${cpus().length}`;
  return { ...choice, device };
}
