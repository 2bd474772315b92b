// How responsive the study dashboard is on a large study, measured in Chromium: the time until the
// trial table and every curve are on screen, and frame times while scrolling the table, hovering
// the curves chart and hovering table rows (which highlights curves).
//
//   npx tsx e2e/support/large-study.ts              # prints the email, password and study id
//   npx tsx e2e/support/measure-dashboard.ts --url http://localhost:3000 \
//     --email <email> --password <password> --study <study id> [--runs 3] [--screenshot out.png]
//
// Run it against a production build (`next build` then `next start`): a dev server compiles on the
// first visit and measures the compiler, not the page.
import { parseArgs } from "node:util";
import { type Browser, chromium, type Page } from "@playwright/test";

const { values: flags } = parseArgs({
  options: {
    url: { type: "string", default: "http://localhost:3000" },
    email: { type: "string" },
    password: { type: "string" },
    study: { type: "string" },
    runs: { type: "string", default: "3" },
    screenshot: { type: "string" },
  },
});

function required(name: "email" | "password" | "study"): string {
  const value = flags[name];
  if (!value) throw new Error(`--${name} is required (see the comment at the top of this file)`);
  return value;
}

interface FrameStats {
  frames: number;
  meanMs: number;
  p95Ms: number;
  maxMs: number;
  /** Frames that took longer than 50 ms: visible stutter. */
  over50: number;
}

function summarise(deltas: number[]): FrameStats {
  const sorted = [...deltas].sort((a, b) => a - b);
  const at = (q: number) => sorted[Math.min(sorted.length - 1, Math.floor(q * sorted.length))] ?? 0;
  const round = (value: number) => Math.round(value * 10) / 10;
  return {
    frames: deltas.length,
    meanMs: round(deltas.reduce((sum, delta) => sum + delta, 0) / Math.max(1, deltas.length)),
    p95Ms: round(at(0.95)),
    maxMs: round(at(1)),
    over50: deltas.filter((delta) => delta > 50).length,
  };
}

// In-page code is passed as text: tsx names functions with a helper the page does not have.
const START_FRAMES = `(() => {
  window.__frames = [];
  window.__recording = true;
  let last = 0;
  function tick(now) {
    window.__frames.push(now - last);
    last = now;
    if (window.__recording) requestAnimationFrame(tick);
  }
  requestAnimationFrame(function (now) {
    last = now;
    requestAnimationFrame(tick);
  });
})()`;

const STOP_FRAMES = `(() => {
  window.__recording = false;
  return window.__frames;
})()`;

/** Starts recording the time between animation frames in the page. */
async function startFrames(page: Page) {
  await page.evaluate(START_FRAMES);
}

async function stopFrames(page: Page): Promise<FrameStats> {
  return summarise((await page.evaluate(STOP_FRAMES)) as number[]);
}

async function signIn(browser: Browser) {
  // The measuring code runs as text (see START_FRAMES), which the app's CSP forbids to its own scripts.
  const context = await browser.newContext({
    viewport: { width: 1440, height: 1000 },
    bypassCSP: true,
  });
  const response = await context.request.post(`${flags.url}/api/auth/sign-in/email`, {
    data: { email: required("email"), password: required("password") },
    headers: { origin: flags.url as string },
  });
  if (!response.ok()) throw new Error(`sign-in: ${response.status()} ${await response.text()}`);
  return context;
}

async function measureLoad(page: Page) {
  const apiCalls: { url: string; ms: number }[] = [];
  page.on("requestfinished", (request) => {
    if (!request.url().includes("/api/trpc")) return;
    const timing = request.timing();
    apiCalls.push({
      url: new URL(request.url()).pathname.replace("/api/trpc/", ""),
      ms: Math.round(timing.responseEnd),
    });
  });
  await page.goto(`${flags.url}/studies/${required("study")}`, { waitUntil: "commit" });
  await page.getByTestId("trial-row").first().waitFor({ timeout: 60_000 });
  const tableMs = (await page.evaluate("performance.now()")) as number;
  await page.waitForFunction(
    `(() => {
      const status = document.querySelector("[data-testid=curves-status]");
      const loaded = Number(status && status.getAttribute("data-loaded"));
      return loaded > 0 && loaded === Number(status.getAttribute("data-total"));
    })()`,
    undefined,
    { timeout: 120_000, polling: 50 },
  );
  // The chart draws on the next frame after its data arrives.
  const curvesMs = (await page.evaluate(
    "new Promise((resolve) => requestAnimationFrame(() => resolve(performance.now())))",
  )) as number;
  const series = await page.getByTestId("study-curves").getAttribute("data-series");
  const rows = await page.getByTestId("trial-row").count();
  return {
    tableMs: Math.round(tableMs),
    curvesMs: Math.round(curvesMs),
    series: Number(series),
    renderedRows: rows,
    apiCalls,
  };
}

async function measureScroll(page: Page): Promise<FrameStats> {
  const scroller = page.getByTestId("trial-table-scroll");
  await scroller.scrollIntoViewIfNeeded();
  await startFrames(page);
  // 40 px a frame for 240 frames: about 280 rows down, then back up with the wheel.
  await page.evaluate(`new Promise((resolve) => {
    const element = document.querySelector("[data-testid=trial-table-scroll]");
    let frames = 0;
    function step() {
      element.scrollTop += 40;
      if (++frames < 240) requestAnimationFrame(step);
      else resolve();
    }
    requestAnimationFrame(step);
  })`);
  const box = await scroller.boundingBox();
  if (box) {
    await page.mouse.move(box.x + box.width / 2, box.y + box.height / 2);
    for (let i = 0; i < 40; i++) {
      await page.mouse.wheel(0, -300);
      await page.waitForTimeout(16);
    }
  }
  return stopFrames(page);
}

async function measureChartHover(page: Page): Promise<FrameStats> {
  const chart = page.getByTestId("study-curves").locator("canvas").first();
  await chart.scrollIntoViewIfNeeded();
  const box = await chart.boundingBox();
  if (!box) throw new Error("the curves chart has no canvas");
  await startFrames(page);
  // Sweep the pointer across the chart at a few heights, as someone reading curves would.
  for (const height of [0.3, 0.5, 0.7, 0.85]) {
    await page.mouse.move(box.x + 5, box.y + box.height * height);
    await page.mouse.move(box.x + box.width - 5, box.y + box.height * height, { steps: 60 });
  }
  return stopFrames(page);
}

async function measureRowHover(page: Page): Promise<FrameStats> {
  const scroller = page.getByTestId("trial-table-scroll");
  await page.evaluate(`document.querySelector("[data-testid=trial-table-scroll]").scrollTop = 0`);
  await scroller.scrollIntoViewIfNeeded();
  const box = await scroller.boundingBox();
  if (!box) throw new Error("the trial table is not on screen");
  await startFrames(page);
  for (let pass = 0; pass < 3; pass++) {
    await page.mouse.move(box.x + 200, box.y + 50);
    await page.mouse.move(box.x + 200, box.y + box.height - 10, { steps: 60 });
  }
  return stopFrames(page);
}

const browser = await chromium.launch({
  executablePath: process.env.CHROMIUM_PATH ?? "/usr/bin/chromium",
  args: [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-dev-shm-usage",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
  ],
});
try {
  const context = await signIn(browser);
  const results = [];
  for (let run = 0; run < Number(flags.runs); run++) {
    const page = await context.newPage();
    const load = await measureLoad(page);
    const scroll = await measureScroll(page);
    const chartHover = await measureChartHover(page);
    const rowHover = await measureRowHover(page);
    if (run === 0 && flags.screenshot)
      await page.screenshot({ path: flags.screenshot, fullPage: true });
    results.push({ run, ...load, scroll, chartHover, rowHover });
    await page.close();
  }
  for (const result of results) {
    const { apiCalls, ...rest } = result;
    console.log(JSON.stringify(rest));
    console.log(`  api calls: ${apiCalls.map((call) => `${call.url} ${call.ms} ms`).join("; ")}`);
  }
  const median = (values: number[]) =>
    [...values].sort((a, b) => a - b)[Math.floor(values.length / 2)];
  console.log(
    `dashboard: table ${median(results.map((r) => r.tableMs))} ms, curves ${median(results.map((r) => r.curvesMs))} ms (median of ${results.length}); ` +
      `scroll p95 ${median(results.map((r) => r.scroll.p95Ms))} ms/frame, chart hover p95 ${median(results.map((r) => r.chartHover.p95Ms))} ms/frame, row hover p95 ${median(results.map((r) => r.rowHover.p95Ms))} ms/frame`,
  );
} finally {
  await browser.close();
}
