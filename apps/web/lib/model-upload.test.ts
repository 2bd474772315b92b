import { createHash } from "node:crypto";
import { MODEL_PART_BYTES } from "@attune/db/limits";
import { describe, expect, it } from "vitest";
import { folderFiles, hashFile, partBase64 } from "./model-upload.ts";

/** A File as the folder picker gives it. */
function picked(path: string, bytes: Uint8Array) {
  const file = new File([new Uint8Array(bytes)], path.split("/").at(-1) as string);
  Object.defineProperty(file, "webkitRelativePath", { value: path });
  return file;
}

function patterned(length: number): Uint8Array {
  const bytes = new Uint8Array(length);
  for (let i = 0; i < length; i++) bytes[i] = (i * 13 + (i >> 10)) & 0xff;
  return bytes;
}

describe("a model folder picked in the browser", () => {
  it("is the folder's own files, named after the folder", () => {
    const files = [
      picked("gpt2-small/config.json", new Uint8Array(2)),
      picked("gpt2-small/model.safetensors", new Uint8Array(8)),
      picked("gpt2-small/.DS_Store", new Uint8Array(1)),
      picked("gpt2-small/onnx/model.onnx", new Uint8Array(1)),
    ];
    const { folder, files: chosen } = folderFiles(files);
    expect(folder).toBe("gpt2-small");
    expect(chosen.map((file) => file.name)).toEqual(["config.json", "model.safetensors"]);
  });

  it("hashes and cuts each file in parts that join to its bytes", async () => {
    const bytes = patterned(MODEL_PART_BYTES + 100);
    const file = picked("m/model.safetensors", bytes);
    const read: number[] = [];
    expect(await hashFile(file, (n) => read.push(n))).toBe(
      createHash("sha256").update(bytes).digest("hex"),
    );
    expect(read).toEqual([MODEL_PART_BYTES, MODEL_PART_BYTES + 100]);
    const parts = [await partBase64(file, 0), await partBase64(file, 1)].map((part) =>
      Buffer.from(part, "base64"),
    );
    expect(parts.map((part) => part.length)).toEqual([MODEL_PART_BYTES, 100]);
    expect(Buffer.concat(parts).equals(bytes)).toBe(true);
  });
});
