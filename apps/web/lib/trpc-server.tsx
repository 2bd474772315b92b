// Server components' side of the typed API: a page reads what it shows first while it renders on
// the server, and hands those reads to the browser's cache, so the client components' own
// useQuery calls find their data there instead of asking /api/trpc again.
import { type AppRouter, appRouter, createTRPCContext } from "@attune/api";
import {
  dehydrate,
  type FetchQueryOptions,
  HydrationBoundary,
  type QueryKey,
} from "@tanstack/react-query";
import { createTRPCOptionsProxy } from "@trpc/tanstack-react-query";
import { headers } from "next/headers";
import { cache, type ReactNode, Suspense } from "react";
import { apiContextOptions } from "./api-context.ts";
import { createQueryClient } from "./query-client.ts";

/**
 * The context /api/trpc would make for this page request (once per request): built by the same
 * function from the same headers, so the session cookie (or API key) gets the same access checks.
 * The URL only names the origin for e-mailed links, which no read sends.
 */
const createContext = cache(async () => {
  const heads = await headers();
  const request = new Request(`http://${heads.get("host") ?? "localhost"}/`, { headers: heads });
  return createTRPCContext(apiContextOptions(request));
});

/** One cache per request: what a page reads is never shared with another user's request. */
const getQueryClient = cache(createQueryClient);

/** `trpc.x.queryOptions(input)` as the browser writes it, run on the server without HTTP. */
export const trpc = createTRPCOptionsProxy<AppRouter>({
  router: appRouter,
  ctx: createContext,
  queryClient: getQueryClient,
});

/**
 * Reads one query into this request's cache and returns its data. Never throws: a signed-out,
 * forbidden or failed read is left out (undefined here), and the browser's own call then reports
 * it as it always has. The server tries once; retrying is the browser's business.
 */
export async function prefetch<TQueryFnData, TError, TData, TQueryKey extends QueryKey>(
  options: FetchQueryOptions<TQueryFnData, TError, TData, TQueryKey>,
): Promise<TData | undefined> {
  try {
    return await getQueryClient().fetchQuery({ ...options, retry: false });
  } catch {
    return undefined;
  }
}

/** A project and then its team (the page's crumbs and the user's role in it). */
export async function prefetchProject(projectId: string): Promise<void> {
  const project = await prefetch(trpc.projects.get.queryOptions({ projectId }));
  if (project) await prefetch(trpc.teams.get.queryOptions({ teamId: project.teamId }));
}

/**
 * Renders `children` (client components) with what `prefetched` read already in their cache.
 * Until the reads finish, the page streams `fallback`, so a navigation shows it at once.
 */
export function HydrateClient({
  prefetched,
  fallback,
  children,
}: {
  prefetched: Promise<unknown>;
  fallback: ReactNode;
  children: ReactNode;
}) {
  return (
    <Suspense fallback={fallback}>
      <Hydrated prefetched={prefetched}>{children}</Hydrated>
    </Suspense>
  );
}

async function Hydrated({
  prefetched,
  children,
}: {
  prefetched: Promise<unknown>;
  children: ReactNode;
}) {
  await prefetched;
  return <HydrationBoundary state={dehydrate(getQueryClient())}>{children}</HydrationBoundary>;
}
