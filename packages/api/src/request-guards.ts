// Checks on a request to the API before any procedure reads it: where it comes from, and how
// large its body may grow. Browsers always send Origin with a POST; scripts send none and
// authenticate with API keys, which a page on another site cannot use.
import type { Auth } from "./auth.ts";

/**
 * Why a request's Origin may not call the API, or undefined when it may: no Origin (a script),
 * the request's own origin, or one better-auth trusts for its own routes (BETTER_AUTH_URL and
 * BETTER_AUTH_TRUSTED_ORIGINS), so both halves of the app accept the same sites.
 */
export async function refusedOrigin(request: Request, auth: Auth): Promise<string | undefined> {
  const origin = request.headers.get("origin");
  if (origin === null || origin === new URL(request.url).origin) return undefined;
  if ((await auth.$context).isTrustedOrigin(origin)) return undefined;
  return `requests from ${origin} are not accepted: only this app's own pages may call the API with a browser's cookies`;
}

export class BodyTooLargeError extends Error {
  constructor(readonly maxBytes: number) {
    super(`the request body is over the limit of ${maxBytes} bytes`);
  }
}

/**
 * The request's body, read until it ends or passes `maxBytes`: then reading stops at once with a
 * BodyTooLargeError, whatever Content-Length said (a chunked upload may send none), so an
 * oversized body never sits whole in memory.
 */
export async function readCappedBody(
  request: Request,
  maxBytes: number,
): Promise<Uint8Array<ArrayBuffer>> {
  const chunks: Uint8Array[] = [];
  let total = 0;
  const reader = request.body?.getReader();
  while (reader) {
    const { done, value } = await reader.read();
    if (done) break;
    total += value.byteLength;
    if (total > maxBytes) {
      await reader.cancel();
      throw new BodyTooLargeError(maxBytes);
    }
    chunks.push(value);
  }
  const body = new Uint8Array(total);
  let offset = 0;
  for (const chunk of chunks) {
    body.set(chunk, offset);
    offset += chunk.byteLength;
  }
  return body;
}
