// The typed client for scripts: every procedure of the API, with its input and output types.
import type { AppRouter } from "@attune/api";
import { createTRPCClient, httpBatchLink } from "@trpc/client";
import superjson from "superjson";

export type { AppRouter } from "@attune/api";

export interface AttuneClientOptions {
  /** The web app's origin, for example "https://attune.example.com". */
  url: string;
  /** An API key of a team, created in the web app's team settings. */
  apiKey: string;
}

/** Where the web app serves the API. */
export const TRPC_PATH = "/api/trpc";

export function createAttuneClient({ url, apiKey }: AttuneClientOptions) {
  return createTRPCClient<AppRouter>({
    links: [
      httpBatchLink({
        url: new URL(TRPC_PATH, url).toString(),
        transformer: superjson,
        // Queries can carry large inputs (a study spec) that would not fit in a URL.
        methodOverride: "POST",
        headers: { authorization: `Bearer ${apiKey}` },
      }),
    ],
  });
}

export type AttuneClient = ReturnType<typeof createAttuneClient>;

export { downloadModelExport, type ModelExportFormat, modelExportPath } from "./model-export.ts";
