// Files served over plain HTTP rather than tRPC (a browser downloads them from a link), authorized
// by the same context and team middleware as every procedure: the same callers, roles, API-key
// rules and NOT_FOUND for another team's resources.
import { checkpointKind, getCheckpoint, getStudy, getTrial } from "@attune/db";
import { TRPCError } from "@trpc/server";
import { getHTTPStatusCodeFromError } from "@trpc/server/http";
import { z } from "zod";
import { checkpointWithBytes } from "./checkpoints.ts";
import { trialId } from "./inputs.ts";
import {
  type ContextOptions,
  createCallerFactory,
  createTRPCContext,
  createTRPCRouter,
  notFound,
  teamProcedure,
} from "./trpc.ts";

/** Study names become file names: anything but letters, digits, dot, dash and underscore goes. */
function fileNamePart(text: string): string {
  return text.replace(/[^A-Za-z0-9._-]+/g, "-").replace(/^-+|-+$/g, "") || "study";
}

/** Server-side only: its answers hold raw bytes, which no tRPC client receives. */
const downloadsRouter = createTRPCRouter({
  checkpoint: teamProcedure(
    "viewer",
    z.strictObject({ trialId, kind: z.enum(checkpointKind.enumValues) }),
  ).query(async ({ ctx, input }) => {
    const trial = await getTrial(ctx.db, input.trialId);
    if (!trial) throw notFound("trial", input.trialId);
    const [checkpoint, study] = await Promise.all([
      getCheckpoint(ctx.db, trial.id, input.kind),
      getStudy(ctx.db, trial.studyId),
    ]);
    if (!checkpoint) {
      throw new TRPCError({
        code: "NOT_FOUND",
        message: `trial ${trial.id} has no ${input.kind} checkpoint`,
      });
    }
    const { data, kind, step } = checkpointWithBytes(checkpoint, trial.id);
    const name = `${fileNamePart(study?.name ?? "study")}-trial-${trial.number}-${kind}-step-${step}.ckpt`;
    return { data, fileName: name };
  }),
});

const createDownloadsCaller = createCallerFactory(downloadsRouter);

/**
 * The response to GET /api/trials/{trialId}/checkpoints/{kind}: the checkpoint's bytes as a file,
 * or the refusal as JSON with the status the API would answer (401, 404, 400, ...).
 */
export async function checkpointDownload(
  context: ContextOptions,
  params: { trialId: string; kind: string },
): Promise<Response> {
  try {
    const caller = createDownloadsCaller(() => createTRPCContext(context));
    // The procedure's input schema checks the URL's values like any caller's input.
    const { data, fileName } = await caller.checkpoint(
      params as Parameters<typeof caller.checkpoint>[0],
    );
    // A copy that owns its memory: the driver's Buffer can be a view of a larger shared pool.
    const body = new Uint8Array(data);
    return new Response(body, {
      headers: {
        "content-type": "application/octet-stream",
        "content-length": String(body.byteLength),
        "content-disposition": `attachment; filename="${fileName}"`,
        "cache-control": "private, no-store",
      },
    });
  } catch (error) {
    if (!(error instanceof TRPCError)) throw error;
    return Response.json(
      { error: { code: error.code, message: error.message } },
      { status: getHTTPStatusCodeFromError(error) },
    );
  }
}
