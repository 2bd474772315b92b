import { healthResponse } from "@attune/api/health";
import { getDatabase, readHealth, unreachableHealth } from "@attune/db";

// Every request checks the database afresh; nothing here may be cached or run at build time.
export const dynamic = "force-dynamic";
export const runtime = "nodejs";

export function GET(): Promise<Response> {
  if (!process.env.DATABASE_URL) {
    return healthResponse(async () =>
      unreachableHealth(
        "DATABASE_URL is not set: start the app through `npm start` (embedded PostgreSQL) or set DATABASE_URL to a PostgreSQL URL",
      ),
    );
  }
  return healthResponse(() => readHealth(getDatabase()));
}
