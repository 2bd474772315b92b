import { appRouter, createTRPCContext } from "@attune/api";
import { getAuth } from "@attune/api/auth";
import { BodyTooLargeError, readCappedBody, refusedOrigin } from "@attune/api/request-guards";
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

async function handler(incoming: Request): Promise<Response> {
  const refused = await refusedOrigin(incoming, getAuth());
  if (refused) return Response.json({ error: refused }, { status: 403 });
  let request = incoming;
  if (incoming.method === "POST") {
    // Read here, capped, so that a body past the limit is refused as soon as it passes it.
    try {
      const body = await readCappedBody(incoming, MAX_REQUEST_BYTES);
      request = new Request(incoming.url, { method: "POST", headers: incoming.headers, body });
    } catch (error) {
      if (!(error instanceof BodyTooLargeError)) throw error;
      return Response.json({ error: error.message }, { status: 413 });
    }
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
