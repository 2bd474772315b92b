/**
 * Chooses the TensorFlow.js backend once per process: the first that loads of tfjs-node-gpu,
 * tfjs-node, native (wasm plus @attune/native's kernels), wasm and cpu, or the one named by
 * ATTUNE_TF_BACKEND. The tfjs-node packages are optional dependencies that cannot install
 * everywhere, so they are imported by name at run time only. The native kernels need their addon
 * built and OpenBLAS installed, and must pass their self-test; ATTUNE_NATIVE=0 turns them off.
 */
import { enableNativeKernels } from "@attune/native";
import * as tf from "@tensorflow/tfjs";
// Importing it registers the wasm backend, which in Node finds its .wasm binaries beside its own
// code (resolving their folder here instead fails once a bundler such as Next.js has renamed paths).
import "@tensorflow/tfjs-backend-wasm";
import { log } from "@attune/runtime/log";

export const backendNames = ["tensorflow-gpu", "tensorflow", "native", "wasm", "cpu"] as const;
export type BackendName = (typeof backendNames)[number];

export interface BackendChoice {
  name: BackendName;
  reason: string;
}

interface Loader {
  /** The name tf knows it by; tfjs-node registers itself as "tensorflow" when imported. */
  tfName: string;
  /** Makes the backend available before it is set. */
  load: () => Promise<void>;
  /** Completes it once set and ready; throws why it cannot be used. */
  activate?: () => void;
}

/** For backends registered by the imports above. */
const registered = async () => {};

const loaders: Record<BackendName, Loader> = {
  "tensorflow-gpu": { tfName: "tensorflow", load: () => importByName("@tensorflow/tfjs-node-gpu") },
  tensorflow: { tfName: "tensorflow", load: () => importByName("@tensorflow/tfjs-node") },
  native: { tfName: "wasm", load: registered, activate: activateNativeKernels },
  wasm: { tfName: "wasm", load: registered },
  cpu: { tfName: "cpu", load: registered },
};

let chosen: Promise<BackendChoice> | undefined;

/** Sets up the backend on first call and returns the same choice afterwards. */
export function selectBackend(): Promise<BackendChoice> {
  chosen ??= choose().then((choice) => {
    log.info("tf_backend", { backend: choice.name, reason: choice.reason });
    return choice;
  });
  return chosen;
}

async function choose(): Promise<BackendChoice> {
  const forced = process.env.ATTUNE_TF_BACKEND;
  if (forced !== undefined && forced !== "") {
    if (!isBackendName(forced)) {
      throw new Error(
        `ATTUNE_TF_BACKEND=${forced} is not a backend; use one of ${backendNames.join(", ")}`,
      );
    }
    const failure = await tryBackend(forced);
    if (failure !== undefined) {
      throw new Error(`ATTUNE_TF_BACKEND=${forced} was forced but does not load: ${failure}`);
    }
    return { name: forced, reason: "forced by ATTUNE_TF_BACKEND" };
  }
  const failures: string[] = [];
  for (const name of backendNames) {
    const failure = await tryBackend(name);
    if (failure === undefined) {
      const reason =
        failures.length === 0
          ? "first in order of preference"
          : `first that loaded (${failures.join("; ")})`;
      return { name, reason };
    }
    // One line on why training will not use the native kernels, and what to install.
    if (name === "native") log.warn("native_kernels_unavailable", { reason: failure });
    failures.push(`${name}: ${failure}`);
  }
  throw new Error(`no TensorFlow.js backend loads: ${failures.join("; ")}`);
}

/** Loads and activates a backend; returns why it failed, or undefined on success. */
async function tryBackend(name: BackendName): Promise<string | undefined> {
  const { tfName, load, activate } = loaders[name];
  try {
    await load();
    if (!(await tf.setBackend(tfName))) return `tf.setBackend("${tfName}") failed`;
    await tf.ready();
    activate?.();
    return undefined;
  } catch (error) {
    return firstLine(error);
  }
}

function activateNativeKernels() {
  const status = enableNativeKernels();
  if (!status.enabled) throw new Error(status.reason);
}

async function importByName(specifier: string): Promise<void> {
  try {
    // A variable specifier keeps bundlers and the type checker from resolving the optional package.
    await import(/* @vite-ignore */ specifier);
  } catch (error) {
    // The usual case on machines without a GPU build: said plainly rather than with a module path.
    const code = (error as NodeJS.ErrnoException).code;
    if (code === "ERR_MODULE_NOT_FOUND" && String(error).includes(`'${specifier}'`)) {
      throw new Error(`${specifier} is not installed`);
    }
    throw error;
  }
}

function isBackendName(name: string): name is BackendName {
  return (backendNames as readonly string[]).includes(name);
}

function firstLine(error: unknown): string {
  const message = error instanceof Error ? error.message : String(error);
  return message.split("\n")[0] ?? message;
}
