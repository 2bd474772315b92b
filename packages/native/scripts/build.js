// Builds the addon with node-gyp at `npm install`. It must never fail the install: without the
// addon, training uses the plain wasm backend. On failure it prints one line and keeps the full
// output in build.log.
import { spawnSync } from "node:child_process";
import { existsSync, writeFileSync } from "node:fs";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";

const packageRoot = dirname(dirname(fileURLToPath(import.meta.url)));
const logFile = join(packageRoot, "build.log");

// npm runs install scripts with the path of its bundled node-gyp in npm_config_node_gyp; run
// directly, use the one bundled with the npm installed beside node, else one on the PATH.
const nodePrefix = dirname(dirname(process.execPath));
const bundledNodeGyp = join(
  nodePrefix,
  "lib/node_modules/npm/node_modules/node-gyp/bin/node-gyp.js",
);
const nodeGyp =
  process.env.npm_config_node_gyp ?? (existsSync(bundledNodeGyp) ? bundledNodeGyp : undefined);
const command = nodeGyp ? [process.execPath, nodeGyp] : ["node-gyp"];
const args = ["rebuild"];
// Use the headers installed beside node when present: node-gyp would otherwise download them.
if (existsSync(join(nodePrefix, "include", "node", "common.gypi"))) {
  args.push(`--nodedir=${nodePrefix}`);
}

const result = spawnSync(command[0], [...command.slice(1), ...args], {
  cwd: packageRoot,
  encoding: "utf8",
});
const output = `${result.stdout ?? ""}${result.stderr ?? ""}${result.error ? String(result.error) : ""}`;
if (result.status === 0) {
  console.log("@attune/native: built the native kernels");
} else {
  writeFileSync(logFile, output);
  const reason =
    output
      .split("\n")
      .find((line) => /error|not found|ENOENT/i.test(line))
      ?.trim() ?? `node-gyp exited with ${result.status}`;
  console.log(
    `@attune/native: native kernels not built (${reason}); training will use plain wasm. Install g++, make and python3, then run \`npm rebuild @attune/native\` (full output in ${logFile})`,
  );
}
