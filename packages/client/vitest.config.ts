import { defineConfig } from "vitest/config";

export default defineConfig({
  test: {
    globalSetup: ["@attune/db/test-global-setup"],
    // Database start-up, migrations and CLI child processes are slow on 2 cores.
    hookTimeout: 60_000,
    testTimeout: 60_000,
  },
});
