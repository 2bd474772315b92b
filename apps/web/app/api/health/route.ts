import { getDatabase, type Health, readHealth } from "@attune/db";
import { log } from "@attune/runtime/log";

// Every request checks the database afresh; nothing here may be cached or run at build time.
export const dynamic = "force-dynamic";
export const runtime = "nodejs";

const noStore = { "cache-control": "no-store, max-age=0" };

function unavailable(error: string): Response {
  const body: Health = {
    status: "degraded",
    database: "unreachable",
    error,
    migrations: null,
    queue: null,
    runners: [],
    checkedAt: new Date().toISOString(),
  };
  return Response.json(body, { status: 503, headers: noStore });
}

export async function GET(): Promise<Response> {
  if (!process.env.DATABASE_URL) {
    return unavailable(
      "DATABASE_URL is not set: start the app through `npm start` (embedded PostgreSQL) or set DATABASE_URL to a PostgreSQL URL",
    );
  }
  try {
    const health = await readHealth(getDatabase());
    return Response.json(health, {
      status: health.database === "ok" ? 200 : 503,
      headers: noStore,
    });
  } catch (error) {
    const message = error instanceof Error ? error.message : String(error);
    log.error("web.health.failed", { message });
    return unavailable(`Health check failed: ${message}`);
  }
}
