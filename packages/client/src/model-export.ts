// A trial's model as a Hugging Face folder, downloaded over the API's plain-HTTP route (a model is
// too large for a JSON answer) and unzipped into its files.
import { unzipSync } from "fflate";
import type { AttuneClientOptions } from "./index.ts";

export type CheckpointKind = "best" | "last";
/** merged: the whole model (a LoRA trial's adapters merged); peft: a LoRA trial's adapters alone. */
export type ModelExportFormat = "merged" | "peft";

/** The route that serves a checkpoint's model as a zipped folder. */
export function modelExportPath(
  trialId: string,
  kind: CheckpointKind,
  format: ModelExportFormat = "merged",
): string {
  const path = `/api/trials/${encodeURIComponent(trialId)}/checkpoints/${kind}/export`;
  return format === "merged" ? path : `${path}?format=${format}`;
}

/**
 * The folder's files by name: config.json, model.safetensors, tokenizer files, README.md, ...; or
 * with format peft, a LoRA trial's adapter_config.json and adapter_model.safetensors in their stead.
 */
export async function downloadModelExport(
  { url, apiKey }: AttuneClientOptions,
  trialId: string,
  kind: CheckpointKind,
  { format = "merged" }: { format?: ModelExportFormat } = {},
): Promise<Map<string, Uint8Array>> {
  const response = await fetch(new URL(modelExportPath(trialId, kind, format), url), {
    headers: { authorization: `Bearer ${apiKey}` },
  });
  if (!response.ok) {
    const body = (await response.json().catch(() => undefined)) as
      | { error?: { message?: string } }
      | undefined;
    const what = format === "peft" ? "the LoRA adapters of " : "";
    throw new Error(
      `exporting ${what}the ${kind} checkpoint of trial ${trialId} failed (HTTP ${response.status}): ${body?.error?.message ?? response.statusText}`,
    );
  }
  const files = unzipSync(new Uint8Array(await response.arrayBuffer()));
  return new Map(Object.entries(files));
}
