// Every 429 says when to come back in the standard Retry-After header (RFC 9110), which clients,
// proxies and HTTP libraries read; the seconds in a message are for people.
import type { TRPCError } from "@trpc/server";
import type { ResponseMeta } from "@trpc/server/http";

/** The wait of a refusal, carried as a TRPCError's cause so that the HTTP answer can give it. */
export class RetryAfter extends Error {
  constructor(readonly seconds: number) {
    super(`retry in ${seconds} s`);
  }
}

/**
 * For tRPC's fetch adapter (`responseMeta`): Retry-After for an answer whose errors include a
 * wait, the longest of them when a batch has several.
 */
export function retryAfterMeta({ errors }: { errors: TRPCError[] }): ResponseMeta {
  const waits = errors.map((error) =>
    error.cause instanceof RetryAfter ? error.cause.seconds : 0,
  );
  const longest = Math.max(0, ...waits);
  return longest > 0 ? { headers: { "retry-after": String(longest) } } : {};
}

/** better-auth's per-address 429 gives its wait only in X-Retry-After: copies it to Retry-After. */
export function withRetryAfter(response: Response): Response {
  const seconds = response.headers.get("x-retry-after");
  if (response.status === 429 && seconds !== null && !response.headers.has("retry-after")) {
    response.headers.set("retry-after", seconds);
  }
  return response;
}
