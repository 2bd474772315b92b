import { defineConfig } from "vitest/config";

export default defineConfig({
  test: {
    globalSetup: ["./src/test-global-setup.ts"],
    hookTimeout: 60_000,
    testTimeout: 60_000,
  },
});
