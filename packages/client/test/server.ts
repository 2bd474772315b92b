// A running API for the client's tests: the web app's tRPC route on a plain Node HTTP server, over
// a test database of its own, with one user, team and API key made through the API's functions.
import { once } from "node:events";
import { createServer, type IncomingMessage } from "node:http";
import type { AddressInfo } from "node:net";
import { appRouter, createTRPCContext } from "@attune/api";
import { generateApiKey } from "@attune/api/api-keys";
import { createAuth } from "@attune/api/auth";
import { modelExportDownload } from "@attune/api/downloads";
import { createApiKey, createTeam, JobQueue } from "@attune/db";
import { createTestDatabase } from "@attune/db/testing";
import { fetchRequestHandler } from "@trpc/server/adapters/fetch";
import { TRPC_PATH } from "../src/index.ts";

async function toRequest(message: IncomingMessage, origin: string): Promise<Request> {
  const chunks: Buffer[] = [];
  for await (const chunk of message) chunks.push(chunk as Buffer);
  const headers = new Headers();
  for (const [name, value] of Object.entries(message.headers)) {
    if (typeof value === "string") headers.set(name, value);
  }
  const hasBody = message.method !== "GET" && message.method !== "HEAD";
  return new Request(new URL(message.url ?? "/", origin), {
    method: message.method,
    headers,
    body: hasBody ? Buffer.concat(chunks) : undefined,
  });
}

export async function startApiServer() {
  const database = await createTestDatabase();
  const queue = await JobQueue.connect(database.url, "client-test");
  const auth = createAuth({
    db: database.db,
    baseURL: "http://localhost",
    secret: "attune-test-secret-that-is-long-enough-to-sign",
  });
  const server = createServer(async (message, response) => {
    const request = await toRequest(message, `http://${message.headers.host}`);
    const context = {
      headers: request.headers,
      db: database.db,
      auth,
      appUrl: "http://localhost",
      jobQueue: async () => queue,
    };
    // The web app's plain-HTTP download of a model export, beside tRPC.
    const requestUrl = new URL(request.url);
    const exportRoute = requestUrl.pathname.match(
      /^\/api\/trials\/([^/]+)\/checkpoints\/([^/]+)\/export$/,
    );
    const answer = exportRoute
      ? await modelExportDownload(
          context,
          { trialId: decodeURIComponent(exportRoute[1] ?? ""), kind: exportRoute[2] ?? "" },
          requestUrl.searchParams,
        )
      : await fetchRequestHandler({
          endpoint: TRPC_PATH,
          req: request,
          router: appRouter,
          allowMethodOverride: true,
          createContext: () => createTRPCContext(context),
        });
    response.writeHead(answer.status, Object.fromEntries(answer.headers));
    response.end(Buffer.from(await answer.arrayBuffer()));
  });
  server.listen(0, "127.0.0.1");
  await once(server, "listening");
  const url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;

  const signUp = await auth.api.signUpEmail({
    body: {
      name: "Script Writer",
      email: "scripts@example.com",
      password: "correct horse battery",
    },
  });
  const { team } = await createTeam(
    database.db,
    { name: "Scripts", slug: "scripts" },
    signUp.user.id,
  );
  const secret = generateApiKey();
  await createApiKey(database.db, {
    referenceId: signUp.user.id,
    teamId: team.id,
    key: secret.hash,
    start: secret.start,
  });

  return {
    url,
    databaseUrl: database.url,
    apiKey: secret.key,
    team,
    db: database.db,
    async stop() {
      server.closeAllConnections();
      server.close();
      await queue.stop();
      await database.drop();
    },
  };
}

export type ApiServer = Awaited<ReturnType<typeof startApiServer>>;
