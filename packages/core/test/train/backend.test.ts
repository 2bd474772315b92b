import * as tf from "@tensorflow/tfjs";
import { afterEach, describe, expect, it, vi } from "vitest";

/** A fresh copy of the module, since it chooses once per process. */
async function freshSelectBackend() {
  vi.resetModules();
  const module = await import("../../src/train/backend.ts");
  return module.selectBackend;
}

const original = process.env.ATTUNE_TF_BACKEND;
afterEach(() => {
  process.env.ATTUNE_TF_BACKEND = original;
  vi.restoreAllMocks();
});

describe("selectBackend", () => {
  it("takes the first that loads, saying why the ones before it did not", async () => {
    delete process.env.ATTUNE_TF_BACKEND;
    const choice = await (await freshSelectBackend())();
    const tfNames = { native: "wasm", wasm: "wasm", cpu: "cpu" } as Record<string, string>;
    expect(tf.getBackend()).toBe(tfNames[choice.name] ?? "tensorflow");
    if (choice.name === "native") {
      // Where the tfjs-node packages cannot install (as here), both failures are named.
      expect(choice.reason).toMatch(/^first that loaded \(tensorflow-gpu: .*; tensorflow: .*\)$/);
    }
    if (choice.name === "wasm") {
      expect(choice.reason).toMatch(
        /^first that loaded \(tensorflow-gpu: .*; tensorflow: .*; native: .*\)$/,
      );
    }
  });

  it("uses the backend forced by ATTUNE_TF_BACKEND, and logs the choice once", async () => {
    process.env.ATTUNE_TF_BACKEND = "cpu";
    const write = vi.spyOn(process.stdout, "write");
    const selectBackend = await freshSelectBackend();
    expect(await selectBackend()).toEqual({ name: "cpu", reason: "forced by ATTUNE_TF_BACKEND" });
    expect(await selectBackend()).toEqual({ name: "cpu", reason: "forced by ATTUNE_TF_BACKEND" });
    expect(tf.getBackend()).toBe("cpu");
    const logged = write.mock.calls.filter(([line]) => String(line).includes('"tf_backend"'));
    expect(logged).toHaveLength(1);
  });

  it("rejects an unknown name, and a forced backend that does not load", async () => {
    process.env.ATTUNE_TF_BACKEND = "webgpu";
    await expect((await freshSelectBackend())()).rejects.toThrow(
      "ATTUNE_TF_BACKEND=webgpu is not a backend; use one of tensorflow-gpu, tensorflow, native, wasm, cpu",
    );
    process.env.ATTUNE_TF_BACKEND = "tensorflow-gpu";
    const selectBackend = await freshSelectBackend();
    await selectBackend().then(
      (choice) => expect(choice.name).toBe("tensorflow-gpu"),
      (error: Error) =>
        expect(error.message).toMatch(
          /^ATTUNE_TF_BACKEND=tensorflow-gpu was forced but does not load: /,
        ),
    );
  });
});
