/**
 * Native CPU kernels for the TensorFlow.js wasm backend: a small N-API addon (src/native.cc) whose
 * matrix products run on OpenBLAS, plus fused attention, query/key/value projections, GELU MLP,
 * layer norm (with the residual add before it), cross-entropy, Adam and embedding kernels.
 * enableNativeKernels() loads and checks them once per process; nativeOps() then hands out the ops
 * while the wasm backend is active, and undefined otherwise, so callers fall back to plain tf ops.
 */
import * as tf from "@tensorflow/tfjs";
import { type Addon, loadAddon, loadOpenBlas } from "./addon.ts";
import { registerKernels } from "./kernels.ts";
import * as ops from "./ops.ts";
import { selfTest } from "./self-test.ts";

export { chooseOpenBlasCoreType } from "./addon.ts";
export type { AdamSlots, AdamStep, AttentionHeads } from "./ops.ts";

export type NativeOps = typeof ops;

export type NativeStatus =
  | { enabled: true; blasCoreType: string }
  | {
      enabled: false;
      reason: string;
      /** Whether the cause is something not installed: the addon is not built, or no OpenBLAS. */
      missing: boolean;
    };

let status: NativeStatus | undefined;

/**
 * Loads the addon and OpenBLAS, registers the kernels on the wasm backend (which must be active)
 * and checks them against the reference tf kernels. Says why not when they cannot be used: the
 * addon is not built, OpenBLAS is missing, the self-test fails, or ATTUNE_NATIVE=0.
 */
export function enableNativeKernels(): NativeStatus {
  status ??= enable();
  return status;
}

export function nativeOps(): NativeOps | undefined {
  return status?.enabled && tf.getBackend() === "wasm" ? ops : undefined;
}

function enable(): NativeStatus {
  if (process.env.ATTUNE_NATIVE === "0") {
    return { enabled: false, reason: "disabled by ATTUNE_NATIVE=0", missing: false };
  }
  if (tf.getBackend() !== "wasm") {
    const reason = `needs the wasm backend active, not ${tf.getBackend()}`;
    return { enabled: false, reason, missing: false };
  }
  let blasCoreType: string;
  let addon: Addon;
  try {
    addon = loadAddon();
    blasCoreType = loadOpenBlas(addon);
  } catch (error) {
    return { enabled: false, reason: messageOf(error), missing: true };
  }
  try {
    registerKernels(addon);
    ops.registerGradients();
    const failure = selfTest();
    if (failure !== undefined) {
      const reason = `self-test failed against the reference kernels (OpenBLAS core type ${blasCoreType}): ${failure}`;
      return { enabled: false, reason, missing: false };
    }
    return { enabled: true, blasCoreType };
  } catch (error) {
    return { enabled: false, reason: `self-test failed: ${messageOf(error)}`, missing: false };
  }
}

function messageOf(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}
