/**
 * Shared set-up for tests that run TensorFlow.js: they all use the wasm backend, the one every
 * machine has and the one our fast paths target, so results do not depend on what is installed.
 */
import { beforeAll } from "vitest";
import { selectBackend } from "../src/train/backend.ts";

export function useWasmBackend() {
  beforeAll(async () => {
    process.env.ATTUNE_TF_BACKEND = "wasm";
    const choice = await selectBackend();
    if (choice.name !== "wasm") throw new Error(`tests need the wasm backend, got ${choice.name}`);
  });
}
