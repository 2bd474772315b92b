// Over HTTP against the running app: the API refuses a page on another site that carries a
// user's cookie, and refuses a body past its limit once it passes it, even without Content-Length.
import { expect, test } from "@playwright/test";
import { chunkedBody } from "../support/health-probe.ts";

test("a POST from another site's page is refused; the app's own origin and scripts are not", async ({
  baseURL,
}) => {
  const call = (origin?: string) =>
    fetch(`${baseURL}/api/trpc/projects.list`, {
      method: "POST",
      headers: { "content-type": "application/json", ...(origin ? { origin } : {}) },
      body: JSON.stringify({ teamId: "00000000-0000-4000-8000-000000000000" }),
    });
  const foreign = await call("https://evil.example");
  expect(foreign.status).toBe(403);
  expect(await foreign.text()).toContain("https://evil.example are not accepted");
  // Not refused for where they come from (they are not signed in: 401).
  expect((await call(baseURL)).status).toBe(401);
  expect((await call()).status).toBe(401);
});

test("a chunked upload past the limit is refused with 413", async ({ baseURL }) => {
  const response = await fetch(`${baseURL}/api/trpc/datasets.upload`, {
    method: "POST",
    headers: { "content-type": "application/json" },
    body: chunkedBody(150),
    duplex: "half",
  } as RequestInit);
  expect(response.status).toBe(413);
  expect(await response.text()).toContain("over the limit");
});
