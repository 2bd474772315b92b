"use client";
// The browser's typed API: TanStack Query hooks generated from the tRPC router's types, so a page
// reads `RouterOutputs` shapes the server itself returns.
import type { AppRouter } from "@attune/api";
import { QueryClient, QueryClientProvider } from "@tanstack/react-query";
import {
  createTRPCClient,
  httpBatchStreamLink,
  httpSubscriptionLink,
  isTRPCClientError,
  splitLink,
} from "@trpc/client";
import { createTRPCContext } from "@trpc/tanstack-react-query";
import { type ReactNode, useState } from "react";
import superjson from "superjson";

export type { RouterInputs, RouterOutputs } from "@attune/api";

export const { TRPCProvider, useTRPC, useTRPCClient } = createTRPCContext<AppRouter>();

const TRPC_URL = "/api/trpc";

function createQueryClient(): QueryClient {
  return new QueryClient({
    defaultOptions: {
      queries: {
        staleTime: 5_000,
        // A refused or missing resource will not appear by asking again.
        retry: (failures, error) => failures < 2 && !isClientMistake(error),
      },
    },
  });
}

/** Errors that say the request itself is wrong, not that the server had trouble. */
export function isClientMistake(error: unknown): boolean {
  if (!isTRPCClientError(error)) return false;
  const code = (error.data as { code?: string } | undefined)?.code;
  return code !== undefined && code !== "INTERNAL_SERVER_ERROR" && code !== "TIMEOUT";
}

/** The tRPC error code of a failed call ("NOT_FOUND", "FORBIDDEN", ...), if it has one. */
export function errorCode(error: unknown): string | undefined {
  if (!isTRPCClientError(error)) return undefined;
  return (error.data as { code?: string } | undefined)?.code;
}

export function TRPCReactProvider({ children }: { children: ReactNode }) {
  const [queryClient] = useState(createQueryClient);
  const [trpcClient] = useState(() =>
    createTRPCClient<AppRouter>({
      links: [
        splitLink({
          condition: (op) => op.type === "subscription",
          true: httpSubscriptionLink({ url: TRPC_URL, transformer: superjson }),
          // Queries can carry large inputs (a study spec) that would not fit in a URL.
          false: httpBatchStreamLink({
            url: TRPC_URL,
            transformer: superjson,
            methodOverride: "POST",
          }),
        }),
      ],
    }),
  );
  return (
    <QueryClientProvider client={queryClient}>
      <TRPCProvider trpcClient={trpcClient} queryClient={queryClient}>
        {children}
      </TRPCProvider>
    </QueryClientProvider>
  );
}
