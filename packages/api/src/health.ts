// GET /api/health: up or down for load balancers and anyone else, and nothing more. The detail
// (migrations, queue, runners' names and hosts, why the database is unreachable) is health.detail's,
// for signed-in users.
import { type Health, healthStatus, unreachableHealth } from "@attune/db";
import { log } from "@attune/runtime/log";

const noStore = { "cache-control": "no-store, max-age=0" };

/**
 * 200 when the database is reachable, else 503, with only the status fields. When anything is
 * wrong the whole health is logged, so that whoever runs the app can read why.
 */
export async function healthResponse(readDetail: () => Promise<Health>): Promise<Response> {
  let health: Health;
  try {
    health = await readDetail();
  } catch (error) {
    health = unreachableHealth(`Health check failed: ${(error as Error).message}`);
  }
  if (health.status !== "ok") log.warn("web.health.degraded", { ...health });
  return Response.json(healthStatus(health), {
    status: health.database === "ok" ? 200 : 503,
    headers: noStore,
  });
}
