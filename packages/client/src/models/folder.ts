// A model folder on disk, as the upload reads it: each file a byte range of a file, so that a
// folder and a tar archive read alike, piece by piece, never whole.
import { createHash } from "node:crypto";
import { createReadStream } from "node:fs";
import { type FileHandle, open, readdir, stat } from "node:fs/promises";
import { join } from "node:path";

export interface FolderFile {
  name: string;
  /** The file on disk that holds it, and where. */
  path: string;
  offset: number;
  sizeBytes: number;
}

/** The files of a directory (not its subdirectories), or the regular files of a tar archive. */
export async function readFolder(path: string): Promise<FolderFile[]> {
  if ((await stat(path)).isDirectory()) {
    const entries = await readdir(path, { withFileTypes: true });
    const files = [];
    for (const entry of entries
      .filter((e) => e.isFile())
      .sort((a, b) => (a.name < b.name ? -1 : 1))) {
      const file = join(path, entry.name);
      files.push({ name: entry.name, path: file, offset: 0, sizeBytes: (await stat(file)).size });
    }
    return files;
  }
  return tarMembers(path);
}

const BLOCK = 512;

/**
 * The regular files of a POSIX (ustar) tar archive, by their base names: a folder packed as
 * `tar cf model.tar -C folder .` or with the folder's name in front both read as the folder.
 */
async function tarMembers(path: string): Promise<FolderFile[]> {
  const handle = await open(path, "r");
  try {
    const members: FolderFile[] = [];
    const header = Buffer.alloc(BLOCK);
    let position = 0;
    for (;;) {
      const { bytesRead } = await handle.read(header, 0, BLOCK, position);
      if (bytesRead < BLOCK || header.every((byte) => byte === 0)) break;
      const text = (start: number, length: number) =>
        header.toString("utf8", start, start + length).replace(/\0.*$/s, "");
      const sizeBytes = Number.parseInt(text(124, 12).trim() || "0", 8);
      const type = text(156, 1);
      const name = [text(345, 155), text(0, 100)].filter(Boolean).join("/");
      if (Number.isNaN(sizeBytes))
        throw new Error(`${path}: not a tar archive (at byte ${position})`);
      const base = name.split("/").at(-1) ?? "";
      if ((type === "0" || type === "") && base !== "" && !base.startsWith("._")) {
        members.push({ name: base, path, offset: position + BLOCK, sizeBytes });
      }
      position += BLOCK + Math.ceil(sizeBytes / BLOCK) * BLOCK;
    }
    return members;
  } finally {
    await handle.close();
  }
}

/** The file's SHA-256 in hex, read as a stream. */
export async function sha256Of(file: FolderFile): Promise<string> {
  const hash = createHash("sha256");
  if (file.sizeBytes === 0) return hash.digest("hex");
  const stream = createReadStream(file.path, {
    start: file.offset,
    end: file.offset + file.sizeBytes - 1,
  });
  for await (const chunk of stream) hash.update(chunk as Buffer);
  return hash.digest("hex");
}

/** Part `index` of the file, `partBytes` long (the last shorter). */
export async function readPart(
  handle: FileHandle,
  file: FolderFile,
  index: number,
  partBytes: number,
): Promise<Buffer> {
  const start = index * partBytes;
  const length = Math.min(partBytes, file.sizeBytes - start);
  const part = Buffer.alloc(length);
  await handle.read(part, 0, length, file.offset + start);
  return part;
}
