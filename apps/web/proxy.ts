// The edge check before any page that needs a user: without a session cookie the browser goes to
// sign-in and comes back afterwards. It only looks for the cookie; the API checks the session
// itself on every call, so a forged or expired cookie reaches an empty page, never data.
import { getSessionCookie } from "better-auth/cookies";
import { type NextRequest, NextResponse } from "next/server";

/** Pages anyone may open. Everything under /api answers for itself. */
const PUBLIC_PAGES = new Set(["/", "/sign-in", "/sign-up"]);

export function proxy(request: NextRequest) {
  const { pathname, search } = request.nextUrl;
  if (PUBLIC_PAGES.has(pathname) || getSessionCookie(request)) return NextResponse.next();
  const signIn = new URL("/sign-in", request.url);
  signIn.searchParams.set("next", `${pathname}${search}`);
  return NextResponse.redirect(signIn);
}

// Static files skip the check: the icon shows on the sign-in page too.
export const config = {
  matcher: ["/((?!api/|_next/static|_next/image|favicon.ico|icon.svg).*)"],
};
