// Sending a model folder from the browser: each file hashed and cut into parts with File.slice, so
// that no file is ever read whole into memory.
import { MODEL_PART_BYTES } from "@attune/db/limits";
import { sha256 } from "@noble/hashes/sha2.js";
import { bytesToHex } from "@noble/hashes/utils.js";

/** A file of the chosen folder; with a folder picker the browser gives "folder/name" paths. */
export interface PickedFile {
  name: string;
  size: number;
  webkitRelativePath?: string;
  slice(start?: number, end?: number): Blob;
}

/**
 * The files directly in the chosen folder (subfolders' are not the model's), and the folder's
 * name, which names the model by default.
 */
export function folderFiles<F extends PickedFile>(
  files: readonly F[],
): { folder: string; files: F[] } {
  const path = (file: F) => (file.webkitRelativePath || file.name).split("/");
  const top = files.filter((file) => path(file).length <= 2 && !file.name.startsWith("."));
  const first = files[0] ? path(files[0]) : [];
  return { folder: first.length > 1 ? (first[0] as string) : "", files: top };
}

/** SHA-256 of the file in hex, read part by part; `onRead` hears how many bytes so far. */
export async function hashFile(file: PickedFile, onRead: (bytes: number) => void): Promise<string> {
  const hash = sha256.create();
  for (let start = 0; start < file.size; start += MODEL_PART_BYTES) {
    hash.update(new Uint8Array(await file.slice(start, start + MODEL_PART_BYTES).arrayBuffer()));
    onRead(Math.min(file.size, start + MODEL_PART_BYTES));
  }
  return bytesToHex(hash.digest());
}

/** Part `index` of the file, base64 as models.part takes it. */
export async function partBase64(file: PickedFile, index: number): Promise<string> {
  const start = index * MODEL_PART_BYTES;
  const bytes = new Uint8Array(await file.slice(start, start + MODEL_PART_BYTES).arrayBuffer());
  // btoa takes a "binary string"; built in slices so no argument list grows past the engine's limit.
  let binary = "";
  for (let i = 0; i < bytes.length; i += 0x8000) {
    binary += String.fromCharCode(...bytes.subarray(i, i + 0x8000));
  }
  return btoa(binary);
}
