"use client";
// The browser's typed API: TanStack Query hooks generated from the tRPC router's types, so a page
// reads `RouterOutputs` shapes the server itself returns.
import type { AppRouter } from "@attune/api";
import { QueryClientProvider } from "@tanstack/react-query";
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
import { createQueryClient } from "./query-client.ts";

export type { RouterInputs, RouterOutputs } from "@attune/api";
export { isClientMistake } from "./query-client.ts";

export const { TRPCProvider, useTRPC, useTRPCClient } = createTRPCContext<AppRouter>();

const TRPC_URL = "/api/trpc";

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
