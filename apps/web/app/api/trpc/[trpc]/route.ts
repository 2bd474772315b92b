import { appRouter, createTRPCContext } from "@attune/api";
import { retryAfterMeta } from "@attune/api/retry-after";
import { DATASET_MAX_BYTES } from "@attune/db";
import { log } from "@attune/runtime/log";
import { fetchRequestHandler } from "@trpc/server/adapters/fetch";
import { apiContextOptions } from "~/lib/api-context.ts";

// Every call reads the database afresh; nothing here may be cached or run at build time.
export const dynamic = "force-dynamic";
export const runtime = "nodejs";

/** The largest dataset upload, JSON-escaped (at most about doubled), with room for the rest. */
const MAX_REQUEST_BYTES = 2 * DATASET_MAX_BYTES + 1024 * 1024;

async function handler(request: Request): Promise<Response> {
  if (Number(request.headers.get("content-length") ?? 0) > MAX_REQUEST_BYTES) {
    return Response.json(
      { error: `the request body is over the limit of ${MAX_REQUEST_BYTES} bytes` },
      { status: 413 },
    );
  }
  return fetchRequestHandler({
    endpoint: "/api/trpc",
    req: request,
    router: appRouter,
    // Queries can carry large inputs (a study spec), which clients then send as POST.
    allowMethodOverride: true,
    createContext: () => createTRPCContext(apiContextOptions(request)),
    responseMeta: retryAfterMeta,
    onError: ({ error, path }) => {
      if (error.code === "INTERNAL_SERVER_ERROR") {
        log.error("web.trpc.failed", { path, message: error.message, cause: String(error.cause) });
      }
    },
  });
}

export { handler as GET, handler as POST };
