// Full-page screenshots kept as test artifacts in e2e/artifacts/screenshots/ (README shows copies
// of them from docs/screenshots/) and attached to the test's report.
import { fileURLToPath } from "node:url";
import { type Page, test } from "@playwright/test";

const folder = fileURLToPath(new URL("../artifacts/screenshots/", import.meta.url));

/** The window size the screenshots are taken at: a laptop screen. */
export const SCREENSHOT_VIEWPORT = { width: 1280, height: 800 };

/** Saves the page as <name>.png and attaches it to the running test. */
export async function saveScreenshot(page: Page, name: string) {
  const path = `${folder}${name}.png`;
  // From the top, so the sticky header and side column sit where a reader sees them first, and
  // without a focus ring left by the test's last click.
  await page.evaluate(() => {
    if (document.activeElement instanceof HTMLElement) document.activeElement.blur();
    window.scrollTo(0, 0);
  });
  await page.screenshot({ path, fullPage: true, animations: "disabled", caret: "hide" });
  await test.info().attach(name, { path, contentType: "image/png" });
}
