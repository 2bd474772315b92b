import { fileURLToPath } from "node:url";
import { defineConfig } from "vitest/config";

// Unit tests of the web app's pure logic (lib/); pages are tested in a browser by e2e/.
export default defineConfig({
  // `~/` is the web app's root, as in tsconfig.json's paths.
  resolve: { alias: { "~": fileURLToPath(new URL(".", import.meta.url)) } },
  test: { include: ["lib/**/*.test.ts"] },
});
