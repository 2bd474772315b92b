import { defineConfig } from "vitest/config";

export default defineConfig({
  test: {
    globalSetup: ["@attune/db/test-global-setup"],
    // Database start-up and per-file migrations are slow on 2 cores under a parallel build.
    hookTimeout: 60_000,
    testTimeout: 60_000,
  },
});
