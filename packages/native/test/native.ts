/**
 * Test set-up: the wasm backend with the native kernels enabled. The tests are skipped, saying
 * why, only when the addon or OpenBLAS is genuinely not installed, and never where
 * ATTUNE_REQUIRE_NATIVE=1 (CI sets it); any other failure to enable them fails the tests.
 */
import { createRequire } from "node:module";
import { dirname, join } from "node:path";
import * as tf from "@tensorflow/tfjs";
import { setWasmPaths } from "@tensorflow/tfjs-backend-wasm";
import { enableNativeKernels, type NativeStatus } from "../src/index.ts";

export async function nativeKernelsForTests(): Promise<NativeStatus> {
  const require = createRequire(import.meta.url);
  setWasmPaths(join(dirname(require.resolve("@tensorflow/tfjs-backend-wasm")), "/"));
  if (!(await tf.setBackend("wasm"))) throw new Error("the wasm backend does not load");
  await tf.ready();
  // These tests are of the kernels themselves: ATTUNE_NATIVE=0 keeps the platform off them, not
  // their tests.
  delete process.env.ATTUNE_NATIVE;
  const status = enableNativeKernels();
  if (!status.enabled && (!status.missing || process.env.ATTUNE_REQUIRE_NATIVE === "1")) {
    throw new Error(`the native kernels cannot be used: ${status.reason}`);
  }
  return status;
}

/** The describe title: says why the tests are skipped when they are. */
export function titled(title: string, status: NativeStatus): string {
  return status.enabled ? title : `${title} (skipped: ${status.reason})`;
}
