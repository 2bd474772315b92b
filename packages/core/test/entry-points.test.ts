// `@attune/core/spec` is the one entry point the web app's client components import, so all of it
// ends up in the browser's bundle. TensorFlow.js (megabytes, and it registers backends as it loads),
// @attune/native (a Node addon) or a Node built-in (node:fs, path, ...) there would bloat that bundle
// or break it. This bundles src/spec.ts for a browser, as Next does, and fails naming what reached
// one of them, so an import added later that pulls one in is caught here rather than in the browser.
import { builtinModules } from "node:module";
import { join } from "node:path";
import { build, type Metafile } from "esbuild";
import { describe, expect, it } from "vitest";

const core = join(import.meta.dirname, "..");

const builtins = new Set(builtinModules.flatMap((name) => [name, `node:${name}`]));
const isBuiltin = (path: string) => path.startsWith("node:") || builtins.has(path);
/** Inputs are paths relative to packages/core: ../../node_modules/..., ../native/src/... */
const isForbiddenInput = (path: string) =>
  /(^|\/)node_modules\/@tensorflow\//.test(path) ||
  /(^|\/)node_modules\/@attune\/native\//.test(path) ||
  path.startsWith("../native/");

/** Bundles the entry point for a browser; Node built-ins stay external so they show as imports. */
async function browserBundle(entry: string): Promise<Metafile> {
  const result = await build({
    absWorkingDir: core,
    entryPoints: [entry],
    bundle: true,
    platform: "browser",
    format: "esm",
    write: false,
    metafile: true,
    logLevel: "silent",
    external: [...builtins],
  });
  return result.metafile;
}

/** Each input that should not be there, or that imports a Node built-in, with the import. */
function forbidden(metafile: Metafile): string[] {
  return Object.entries(metafile.inputs).flatMap(([path, input]) => [
    ...(isForbiddenInput(path) ? [path] : []),
    ...input.imports.filter((i) => isBuiltin(i.path)).map((i) => `${path} imports ${i.path}`),
  ]);
}

describe("@attune/core/spec", () => {
  it("bundles for a browser without TensorFlow.js, @attune/native or Node built-ins", async () => {
    const metafile = await browserBundle("src/spec.ts");
    expect(Object.keys(metafile.inputs)).toContain("src/tuning/spec.ts");
    expect(forbidden(metafile)).toEqual([]);
  });

  it("and so does @attune/core/csv, the web app's CSV reader", async () => {
    const metafile = await browserBundle("src/data/csv.ts");
    expect(Object.keys(metafile.inputs)).toContain("src/data/dataset-error.ts");
    expect(forbidden(metafile)).toEqual([]);
  });

  it("would catch them: the Node-side entry points do reach them", async () => {
    const metafile = await browserBundle("src/train.ts");
    const found = forbidden(metafile).join("\n");
    expect(found).toMatch(/@tensorflow\//);
    expect(found).toMatch(/^\.\.\/native\//m);
  });
});
