import { defineConfig } from "vitest/config";

export default defineConfig({
  test: {
    globalSetup: ["@attune/db/test-global-setup"],
    hookTimeout: 60_000,
    testTimeout: 60_000,
  },
});
