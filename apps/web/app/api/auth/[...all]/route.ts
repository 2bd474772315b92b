import { getAuth } from "@attune/api/auth";

// better-auth's endpoints (sign-up, sign-in, sign-out, session). The auth is created on the first
// request, so that `next build` never opens the database.
export const dynamic = "force-dynamic";
export const runtime = "nodejs";

export function GET(request: Request): Promise<Response> {
  return getAuth().handler(request);
}

export function POST(request: Request): Promise<Response> {
  return getAuth().handler(request);
}
