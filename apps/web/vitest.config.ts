import { defineConfig } from "vitest/config";

// Unit tests of the web app's pure logic (lib/); pages are tested in a browser by e2e/.
export default defineConfig({
  test: { include: ["lib/**/*.test.ts"] },
});
