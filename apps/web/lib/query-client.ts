// The one QueryClient recipe, for the browser and for the server's per-request prefetch: how long
// data stays fresh, when to try again, and how the server hands its reads to the browser.
import { QueryClient } from "@tanstack/react-query";
import { isTRPCClientError } from "@trpc/client";
import superjson from "superjson";

export function createQueryClient(): QueryClient {
  return new QueryClient({
    defaultOptions: {
      queries: {
        staleTime: 5_000,
        // A refused or missing resource will not appear by asking again.
        retry: (failures, error) => failures < 2 && !isClientMistake(error),
      },
      // Only successful reads are handed over (the default shouldDehydrateQuery): a failed or
      // still pending one would reach the browser with its tRPC error code redacted, so the
      // browser asks again itself and reports why, as it would without the prefetch.
      dehydrate: { serializeData: superjson.serialize },
      hydrate: { deserializeData: superjson.deserialize },
    },
  });
}

/** Errors that say the request itself is wrong, not that the server had trouble. */
export function isClientMistake(error: unknown): boolean {
  if (!isTRPCClientError(error)) return false;
  const code = (error.data as { code?: string } | undefined)?.code;
  return code !== undefined && code !== "INTERNAL_SERVER_ERROR" && code !== "TIMEOUT";
}
