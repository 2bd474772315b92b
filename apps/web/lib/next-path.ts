// Where to go after signing in: the `?next=` a page was sent away from, when it is safe to follow.

/** Where a signed-in user goes when nothing (or nothing safe) says otherwise. */
export const DEFAULT_NEXT = "/teams";

const BASE = "http://attune.invalid";

/**
 * `next` when it is a path on this site (as proxy.ts writes it: path, query and fragment), else
 * the fallback. Absolute URLs, protocol-relative `//host` paths, backslash tricks, control
 * characters and the sign-in pages themselves (which would loop) all give the fallback.
 */
export function safeNextPath(next: string | null | undefined, fallback = DEFAULT_NEXT): string {
  if (!next || next.length > 2048 || !next.startsWith("/")) return fallback;
  // Browsers read "\" as "/" and drop tabs and newlines: "/\evil.com" would leave the site.
  if (next.startsWith("//") || next.includes("\\") || /\p{Cc}/u.test(next)) return fallback;
  let url: URL;
  try {
    url = new URL(next, BASE);
  } catch {
    return fallback;
  }
  if (url.origin !== BASE) return fallback;
  if (url.pathname === "/sign-in" || url.pathname === "/sign-up") return fallback;
  return `${url.pathname}${url.search}${url.hash}`;
}

/** A link to `page` ("/sign-in" or "/sign-up") that keeps the place to come back to. */
export function authPageHref(page: "/sign-in" | "/sign-up", next: string | null | undefined) {
  const safe = safeNextPath(next, "");
  return safe ? `${page}?next=${encodeURIComponent(safe)}` : page;
}
