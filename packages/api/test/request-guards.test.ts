// The checks the web app's tRPC route makes before a procedure runs: the caller's Origin, and a
// body capped while it is read.
import { describe, expect, it } from "vitest";
import { BodyTooLargeError, readCappedBody, refusedOrigin } from "../src/request-guards.ts";
import { APP_URL, useApi } from "./harness.ts";

const api = useApi();

function post(origin: string | undefined, body?: string | ReadableStream<Uint8Array>) {
  return new Request(`${APP_URL}/api/trpc/projects.create`, {
    method: "POST",
    headers: origin ? { origin } : {},
    body,
    // A streamed body, as a chunked upload arrives.
    ...(body instanceof ReadableStream ? { duplex: "half" } : {}),
  } as RequestInit);
}

describe("the caller's origin", () => {
  it("accepts the app's own pages and scripts that send no Origin", async () => {
    expect(await refusedOrigin(post(APP_URL), api.auth)).toBeUndefined();
    expect(await refusedOrigin(post(undefined), api.auth)).toBeUndefined();
  });

  it("refuses another site's page carrying a user's cookie", async () => {
    expect(await refusedOrigin(post("https://evil.example"), api.auth)).toMatch(
      /requests from https:\/\/evil\.example are not accepted/,
    );
  });
});

describe("a capped body", () => {
  it("reads a body within the limit whole", async () => {
    const body = await readCappedBody(post(APP_URL, "x".repeat(1_000)), 1_000);
    expect(body.byteLength).toBe(1_000);
  });

  it("stops reading as soon as a body without Content-Length passes the limit", async () => {
    let sent = 0;
    const endless = new ReadableStream<Uint8Array>({
      pull(controller) {
        sent += 1_024;
        controller.enqueue(new Uint8Array(1_024));
      },
    });
    await expect(readCappedBody(post(APP_URL, endless), 10_000)).rejects.toBeInstanceOf(
      BodyTooLargeError,
    );
    // Read up to just past the limit, not to the end (there is none).
    expect(sent).toBeLessThan(20_000);
  });
});
