// Over HTTP against the running app: the web process keeps answering /api/health while it takes
// the requests that used to stall it: a 31 MiB dataset upload (parsed and tokenized in a worker
// thread now, 6.5 s in line before), a grid of 5,000,000 points to validate (counted, not listed:
// 7-8 s before) and a body far past the upload limit (refused as soon as it passes the limit).
// bench:fairness gives the figure (p99 under 31 MiB uploads); this test checks the behaviour.
import { expect, test } from "@playwright/test";
import { createProject, createTeam } from "../support/app.ts";
import { newPerson, signUp } from "../support/auth.ts";
import { chunkedBody, probeHealthDuring } from "../support/health-probe.ts";

/** What a health check may wait for a request that does no blocking work, as the issue asks. */
const HEALTH_LIMIT_MS = 500;

test("the web process keeps answering health checks through a large upload, a huge grid and an oversized body", async ({
  page,
  baseURL,
}) => {
  test.setTimeout(180_000);
  const origin = baseURL as string;
  await signUp(page, newPerson("Uploader"));
  await createTeam(page, `Upload lab ${Date.now()}`);
  const projectId = new URL(await createProject(page, "uploads")).pathname.split("/")[2];

  const line = "It is not down in any map; true places never are.\n";
  const content = line.repeat(Math.floor((31 * 1024 * 1024) / line.length));
  const upload = await probeHealthDuring(origin, async () => {
    const response = await page.request.post("/api/trpc/datasets.upload", {
      data: { json: { projectId, name: "big", format: "text", tokenizer: "char", content } },
      timeout: 150_000,
    });
    expect(response.status(), await response.text()).toBe(200);
  });
  const uploadLongest = Math.max(...upload.latenciesMs);
  console.log(
    `31 MiB upload took ${Math.round(upload.workMs)} ms; ${upload.latenciesMs.length} health checks meanwhile, the longest ${Math.round(uploadLongest)} ms`,
  );
  // In line, every check waited for the whole upload. Off the request thread only the body's JSON
  // is parsed in line: a fraction of the upload's time, on a busy machine as on an idle one.
  expect(upload.latenciesMs.length).toBeGreaterThan(2);
  expect(uploadLongest).toBeLessThan(upload.workMs / 2);

  const spec = JSON.stringify({
    name: "huge grid",
    task: "language-modelling",
    dataset: "big",
    objectives: [{ metric: "val_loss", direction: "minimize" }],
    sampler: { kind: "grid" },
    searchSpace: { batch_size: { type: "int", low: 1, high: 5_000_000 } },
    budget: { trials: 10, parallelTrials: 1, stepsPerTrial: 100 },
  });
  const grid = await probeHealthDuring(origin, async () => {
    const input = encodeURIComponent(JSON.stringify({ json: { projectId, spec } }));
    const response = await page.request.get(`/api/trpc/studies.validate?input=${input}`);
    return JSON.stringify(await response.json());
  });
  expect(grid.result).toContain("the grid comes to 5,000,000 points");

  const oversized = await probeHealthDuring(origin, async () => {
    const response = await fetch(`${origin}/api/trpc/datasets.upload`, {
      method: "POST",
      headers: { "content-type": "application/json" },
      body: chunkedBody(150),
      duplex: "half",
    } as RequestInit);
    return response.status;
  });
  expect(oversized.result).toBe(413);

  for (const [name, probed] of Object.entries({ grid, oversized })) {
    console.log(
      `${name}: health checks meanwhile ${probed.latenciesMs.map(Math.round).join(", ")} ms`,
    );
    expect(Math.max(0, ...probed.latenciesMs)).toBeLessThan(HEALTH_LIMIT_MS);
  }
});
