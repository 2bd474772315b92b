#!/usr/bin/env -S node --import tsx
import { configuredStudyLimits } from "@attune/control";
import { migrateDatabase } from "@attune/db";
import { DatabaseSetupError, ensureDatabase } from "@attune/db/embedded";
import { embeddedDataFolder } from "@attune/db/paths";
import { ensureOpenBlas, openBlasPackage } from "@attune/native/openblas";
// The runner's entry point: `npm run runner`, or started by `npm start` beside the web app.
import { log } from "@attune/runtime/log";
import { loadBackend } from "./backend.ts";
import { startRunner } from "./runner.ts";
import { readSettings, SettingsError } from "./settings.ts";

function fail(error: unknown, code: number): never {
  if (error instanceof SettingsError || error instanceof DatabaseSetupError)
    console.error(error.message);
  else
    log.error("runner.failed", {
      message: (error as Error).message,
      stack: (error as Error).stack,
    });
  process.exit(code);
}

const settings = (() => {
  try {
    // Read now, so that a bad limit stops the runner at start rather than failing every round.
    configuredStudyLimits();
    return readSettings(process.argv.slice(2), process.env);
  } catch (error) {
    return fail(error, 2);
  }
})();
process.env.ATTUNE_LOG_LEVEL = settings.logLevel;
// The core's backend selection reads this; "auto" leaves it to try each in turn.
if (settings.backend === "auto") delete process.env.ATTUNE_TF_BACKEND;
else process.env.ATTUNE_TF_BACKEND = settings.backend;

// A fresh machine gets the native kernels' OpenBLAS here; where it cannot be installed, the
// backend's choice says why in one line, with the command.
if (settings.backend === "auto" || settings.backend === "native") {
  ensureOpenBlas(() => log.info("openblas.installing", { package: openBlasPackage }));
}

try {
  const backend = await loadBackend();
  const database = await ensureDatabase(embeddedDataFolder());
  await migrateDatabase(database.url);
  const runner = await startRunner(settings, backend, database.url);

  let stopping = false;
  const shutdown = async (signal: string) => {
    if (stopping) return;
    stopping = true;
    log.info("runner.stopping", { signal });
    await runner.stop();
    await database.stop();
    process.exit(0);
  };
  process.on("SIGINT", () => void shutdown("SIGINT"));
  process.on("SIGTERM", () => void shutdown("SIGTERM"));
} catch (error) {
  fail(error, 1);
}
