// A trial's model as a Hugging Face folder, downloaded over the API's plain-HTTP route (a model is
// too large for a JSON answer) and unzipped into its files.
import { unzipSync } from "fflate";
import type { AttuneClientOptions } from "./index.ts";

export type CheckpointKind = "best" | "last";

/** The route that serves a checkpoint's model as a zipped folder. */
export function modelExportPath(trialId: string, kind: CheckpointKind): string {
  return `/api/trials/${encodeURIComponent(trialId)}/checkpoints/${kind}/export`;
}

/** The folder's files by name: config.json, model.safetensors, tokenizer files, README.md, ... */
export async function downloadModelExport(
  { url, apiKey }: AttuneClientOptions,
  trialId: string,
  kind: CheckpointKind,
): Promise<Map<string, Uint8Array>> {
  const response = await fetch(new URL(modelExportPath(trialId, kind), url), {
    headers: { authorization: `Bearer ${apiKey}` },
  });
  if (!response.ok) {
    const body = (await response.json().catch(() => undefined)) as
      | { error?: { message?: string } }
      | undefined;
    throw new Error(
      `exporting the ${kind} checkpoint of trial ${trialId} failed (HTTP ${response.status}): ${body?.error?.message ?? response.statusText}`,
    );
  }
  const files = unzipSync(new Uint8Array(await response.arrayBuffer()));
  return new Map(Object.entries(files));
}
