import { defineConfig } from "vitest/config";

export default defineConfig({
  test: {
    globalSetup: ["@attune/db/test-global-setup"],
    // Database start-up, migrations and CLI child processes (each a Node start and a TypeScript
    // compile) are slow on 2 busy cores: a test of a dozen commands can take minutes there.
    hookTimeout: 5 * 60_000,
    testTimeout: 5 * 60_000,
  },
});
