// An upload's state, as begin and progress report it: each file's parts and which are stored.
import {
  blobsHeldByTeam,
  chunkCount,
  type Executor,
  listModelFiles,
  MODEL_PART_BYTES,
  type Model,
  uploadedParts,
} from "@attune/db";

export interface UploadFileState {
  name: string;
  sizeBytes: number;
  sha256: string;
  parts: number;
  /** The parts stored so far: resuming sends the others. */
  present: number[];
  /** The team holds this file in a ready model already: no part needs sending. */
  held: boolean;
}

export interface UploadState {
  modelId: string;
  status: Model["status"];
  error: string | null;
  partBytes: number;
  files: UploadFileState[];
}

export async function uploadState(
  db: Executor,
  model: Model,
  teamId: string,
): Promise<UploadState> {
  const files = await listModelFiles(db, model.id);
  const [parts, held] = await Promise.all([
    uploadedParts(db, model.id),
    blobsHeldByTeam(
      db,
      teamId,
      files.map((file) => file.sha256),
    ),
  ]);
  return {
    modelId: model.id,
    status: model.status,
    error: model.error,
    partBytes: MODEL_PART_BYTES,
    files: files.map((file) => ({
      name: file.name,
      sizeBytes: file.sizeBytes,
      sha256: file.sha256,
      parts: chunkCount(file.sizeBytes),
      present: parts.get(file.name) ?? [],
      held: held.has(file.sha256),
    })),
  };
}

/** The parts still to send, as "file: 0, 3, 4", or an empty list when all are stored. */
export function missingParts(state: UploadState): string[] {
  return state.files
    .filter((file) => !file.held && file.present.length < file.parts)
    .map((file) => {
      const present = new Set(file.present);
      const missing = Array.from({ length: file.parts }, (_, i) => i).filter(
        (i) => !present.has(i),
      );
      return `${file.name}: ${missing.join(", ")}`;
    });
}
