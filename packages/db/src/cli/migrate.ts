// `npm run db:migrate`: applies migrations to DATABASE_URL, or to the embedded server.
import { log } from "@attune/runtime/log";
import { DatabaseSetupError, ensureDatabase } from "../embedded.ts";
import { describeConnectionError } from "../errors.ts";
import { migrateDatabase } from "../migrate.ts";
import { embeddedDataFolder } from "../paths.ts";

const handle = await ensureDatabase(embeddedDataFolder()).catch((error: unknown) => {
  console.error(error instanceof DatabaseSetupError ? error.message : error);
  process.exit(1);
});
try {
  await migrateDatabase(handle.url);
  log.info("db.migrated");
} catch (error) {
  console.error(describeConnectionError(error, handle.url));
  process.exitCode = 1;
} finally {
  await handle.stop();
}
