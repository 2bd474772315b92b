import { modelExportDownload } from "@attune/api/downloads";
import { apiContextOptions } from "~/lib/api-context.ts";

// A trial's best or last checkpoint as a zipped Hugging Face model folder, for whoever may read the
// trial through the API: merged, or with ?format=peft a LoRA trial's adapters alone.
export const dynamic = "force-dynamic";
export const runtime = "nodejs";

export async function GET(
  request: Request,
  { params }: { params: Promise<{ trialId: string; kind: string }> },
): Promise<Response> {
  const search = new URL(request.url).searchParams;
  return modelExportDownload(apiContextOptions(request), await params, search);
}
