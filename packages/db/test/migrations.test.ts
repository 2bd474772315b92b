import { readFileSync } from "node:fs";
import { getTableName, is, sql } from "drizzle-orm";
import { PgTable } from "drizzle-orm/pg-core";
import { describe, expect, it } from "vitest";
import { migrateDatabase, migrationsFolder, readMigrationStatus } from "../src/migrate.ts";
import { createDataset, getDataset } from "../src/queries/datasets.ts";
import type { DatasetStatistics } from "../src/schema/index.ts";
import * as schema from "../src/schema/index.ts";
import { seedProject } from "../src/seed.ts";
import { useTestDatabase } from "../src/testing.ts";

const test = useTestDatabase();

const schemaTables = Object.values(schema)
  .filter((value) => is(value, PgTable))
  .map((table) => getTableName(table))
  .sort();

const journalEntries = (
  JSON.parse(readFileSync(`${migrationsFolder}/meta/_journal.json`, "utf8")) as {
    entries: unknown[];
  }
).entries.length;

async function publicTables(): Promise<string[]> {
  const result = await test.db.execute<{ table_name: string }>(
    sql`select table_name from information_schema.tables
        where table_schema = 'public' and table_type = 'BASE TABLE' order by table_name`,
  );
  return result.rows.map((row) => row.table_name);
}

async function appliedCount(): Promise<number> {
  const result = await test.db.execute<{ count: number }>(
    sql`select count(*)::int as count from drizzle.__drizzle_migrations`,
  );
  return result.rows[0]?.count ?? -1;
}

describe("migrations", () => {
  it("create every table of the Drizzle schema, and only those, in an empty database", async () => {
    // The schema's tables were found (a broken extraction would compare two empty lists).
    expect(schemaTables).toEqual(
      expect.arrayContaining(["users", "teams", "studies", "trials", "metrics", "audit_log"]),
    );
    expect(await publicTables()).toEqual(schemaTables);
  });

  it("are reported current once applied", async () => {
    expect(await readMigrationStatus(test.db)).toEqual({
      applied: journalEntries,
      expected: journalEntries,
      current: true,
    });
  });

  it("are reported not current when the newest is missing", async () => {
    const rollback = new Error("rollback");
    await expect(
      test.db.transaction(async (tx) => {
        await tx.execute(sql`delete from drizzle.__drizzle_migrations`);
        expect(await readMigrationStatus(tx)).toMatchObject({ applied: 0, current: false });
        throw rollback;
      }),
    ).rejects.toBe(rollback);
  });

  it("declare the task of datasets stored before tasks: classification when labelled", async () => {
    const backfill = readFileSync(`${migrationsFolder}/0009_dataset_tasks.sql`, "utf8")
      .split("--> statement-breakpoint")
      .at(-1) as string;
    expect(backfill).toMatch(/^\s*-- .*\nUPDATE "datasets"/);
    const { project } = await seedProject(test.db);
    const stored = (name: string, statistics: DatasetStatistics) =>
      createDataset(test.db, {
        projectId: project.id,
        name,
        source: "upload",
        origin: `${name}.jsonl`,
        format: "jsonl",
        tokenizer: "char",
        content: '{"text": "x"}',
        statistics,
      });
    const lengths = { upperBounds: [8], counts: [1] };
    const counts = { characters: 1, tokens: 1, vocabularySize: 1, samples: 1 };
    const labelled = await stored("labelled", {
      ...counts,
      sampleTokenLengths: lengths,
      labelCounts: { spam: 1 },
    });
    const unlabelled = await stored("unlabelled", { ...counts, sampleTokenLengths: lengths });
    expect(labelled.task).toBe("language-modelling");

    await test.db.execute(sql.raw(backfill));
    expect((await getDataset(test.db, labelled.id))?.task).toBe("classification");
    expect((await getDataset(test.db, unlabelled.id))?.task).toBe("language-modelling");
  });

  it("re-run without error or change", async () => {
    const before = await appliedCount();
    expect(before).toBe(journalEntries);
    await migrateDatabase(test.url);
    await migrateDatabase(test.url);
    expect(await appliedCount()).toBe(before);
    expect(await publicTables()).toEqual(schemaTables);
    expect((await readMigrationStatus(test.db)).current).toBe(true);
  });
});
