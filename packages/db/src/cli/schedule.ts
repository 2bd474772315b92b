// `npm run db:schedule`: an operator's settings for fair scheduling, in DATABASE_URL's database or
// the embedded one. A team's quota caps its concurrent trials below its fair share; a study's
// priority orders its team's studies (never another team's).
import { parseArgs } from "node:util";
import { createDatabase } from "../client.ts";
import { DatabaseSetupError, ensureDatabase } from "../embedded.ts";
import { describeConnectionError } from "../errors.ts";
import { embeddedDataFolder } from "../paths.ts";
import { setStudyPriority, setTeamMaxConcurrentTrials } from "../queries/scheduling.ts";

const usage = `Usage: npm run db:schedule -- --team SLUG --max-concurrent-trials N|none
       npm run db:schedule -- --study ID --priority N   (higher first within the team; default 0)`;

/** The integer in `text`, at least `min`; exits with the usage otherwise. */
function integer(text: string, what: string, min: number): number {
  const value = Number(text);
  if (Number.isInteger(value) && value >= min) return value;
  console.error(`${what} must be an integer of at least ${min}, not "${text}"\n${usage}`);
  process.exit(1);
}

const { values } = parseArgs({
  options: {
    team: { type: "string" },
    "max-concurrent-trials": { type: "string" },
    study: { type: "string" },
    priority: { type: "string" },
  },
});
const quotaText = values["max-concurrent-trials"];
const team = values.team && quotaText !== undefined ? values.team : undefined;
const study = values.study && values.priority !== undefined ? values.study : undefined;
if (!team && !study) {
  console.error(usage);
  process.exit(1);
}
const quota =
  quotaText === "none" || quotaText === undefined
    ? null
    : integer(quotaText, "--max-concurrent-trials", 1);
const priority = integer(values.priority ?? "0", "--priority", -1_000_000);

const handle = await ensureDatabase(embeddedDataFolder()).catch((error: unknown) => {
  console.error(error instanceof DatabaseSetupError ? error.message : error);
  process.exit(1);
});
const db = createDatabase(handle.url, { applicationName: "attune-schedule" });
try {
  if (team) {
    const row = await setTeamMaxConcurrentTrials(db, team, quota);
    console.log(
      row
        ? `team ${row.slug}: max concurrent trials ${row.maxConcurrentTrials ?? "none"}`
        : `no team with slug "${team}"`,
    );
    if (!row) process.exitCode = 1;
  }
  if (study) {
    const row = await setStudyPriority(db, study, priority);
    console.log(
      row
        ? `study ${row.name} (${row.id}): priority ${row.priority}`
        : `no study with id "${study}"`,
    );
    if (!row) process.exitCode = 1;
  }
} catch (error) {
  console.error(describeConnectionError(error, handle.url));
  process.exitCode = 1;
} finally {
  await db.$client.end();
  await handle.stop();
}
