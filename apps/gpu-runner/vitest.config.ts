import { defineConfig } from "vitest/config";

// The waits inside the tests (test/cluster.ts) say what they waited for; these limits only catch a
// test that hangs outside them, so they sit above the longest test's sum of waits.
export default defineConfig({
  test: {
    globalSetup: ["@attune/db/test-global-setup"],
    hookTimeout: 5 * 60_000,
    testTimeout: 30 * 60_000,
  },
});
