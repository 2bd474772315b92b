// Before every page: a Content-Security-Policy with a nonce of its own, which Next.js reads from
// the request and puts on the scripts it renders; and, for pages that need a user, a check for the
// session cookie that sends a browser without one to sign-in and back afterwards. It only looks
// for the cookie; the API checks the session itself on every call, so a forged or expired cookie
// reaches an empty page, never data.
import { getSessionCookie } from "better-auth/cookies";
import { type NextRequest, NextResponse } from "next/server";
import { contentSecurityPolicy, newNonce } from "./lib/content-security-policy.ts";

/** Pages anyone may open. Everything under /api answers for itself. */
const PUBLIC_PAGES = new Set(["/", "/sign-in", "/sign-up"]);

export function proxy(request: NextRequest) {
  const { pathname, search } = request.nextUrl;
  if (!PUBLIC_PAGES.has(pathname) && !getSessionCookie(request)) {
    const signIn = new URL("/sign-in", request.url);
    signIn.searchParams.set("next", `${pathname}${search}`);
    return NextResponse.redirect(signIn);
  }
  const policy = contentSecurityPolicy(newNonce(), { dev: process.env.NODE_ENV === "development" });
  const headers = new Headers(request.headers);
  headers.set("content-security-policy", policy);
  const response = NextResponse.next({ request: { headers } });
  response.headers.set("content-security-policy", policy);
  return response;
}

// Static files skip both: the icon shows on the sign-in page too.
export const config = {
  matcher: ["/((?!api/|_next/static|_next/image|favicon.ico|icon.svg).*)"],
};
