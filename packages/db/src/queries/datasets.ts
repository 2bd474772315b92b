// Datasets: text corpora kept in Postgres. Content is large, so only getDatasetContent reads it.
import { and, asc, eq } from "drizzle-orm";
import type { Executor } from "../client.ts";
import { DATASET_MAX_BYTES, type DatasetStatistics, datasets } from "../schema/index.ts";
import { columnsWithout, single } from "./shared.ts";

export type Dataset = typeof datasets.$inferSelect;
/** A dataset without its content. */
export type DatasetMeta = Omit<Dataset, "content">;
/** sizeBytes is computed from the content, never given. */
export type NewDataset = Omit<
  typeof datasets.$inferInsert,
  "id" | "sizeBytes" | "createdAt" | "updatedAt"
>;

const metaColumns = columnsWithout(datasets, "content");

/**
 * Stores a dataset, first checking its UTF-8 size against DATASET_MAX_BYTES so an oversized upload
 * fails with a message that says by how much (the table's check constraint is the backstop).
 */
export async function createDataset(db: Executor, dataset: NewDataset): Promise<DatasetMeta> {
  const sizeBytes = Buffer.byteLength(dataset.content, "utf8");
  if (sizeBytes > DATASET_MAX_BYTES) {
    throw new Error(
      `dataset "${dataset.name}" is ${sizeBytes} bytes, over the limit of ${DATASET_MAX_BYTES} bytes (${DATASET_MAX_BYTES / 1024 / 1024} MiB)`,
    );
  }
  const rows = await db
    .insert(datasets)
    .values({ ...dataset, sizeBytes })
    .returning(metaColumns);
  return single(
    rows,
    `creating dataset "${dataset.name}" in project ${dataset.projectId} returned no row`,
  );
}

export async function getDataset(db: Executor, id: string): Promise<DatasetMeta | undefined> {
  const [row] = await db.select(metaColumns).from(datasets).where(eq(datasets.id, id));
  return row;
}

export async function getDatasetContent(db: Executor, id: string): Promise<string | undefined> {
  const [row] = await db
    .select({ content: datasets.content })
    .from(datasets)
    .where(eq(datasets.id, id));
  return row?.content;
}

export async function listDatasets(db: Executor, projectId: string): Promise<DatasetMeta[]> {
  return db
    .select(metaColumns)
    .from(datasets)
    .where(eq(datasets.projectId, projectId))
    .orderBy(asc(datasets.name));
}

export async function updateDatasetStatistics(
  db: Executor,
  id: string,
  statistics: DatasetStatistics,
): Promise<DatasetMeta> {
  const rows = await db
    .update(datasets)
    .set({ statistics })
    .where(eq(datasets.id, id))
    .returning(metaColumns);
  return single(rows, `no dataset ${id}`);
}

export async function deleteDataset(db: Executor, id: string): Promise<boolean> {
  const rows = await db.delete(datasets).where(eq(datasets.id, id)).returning({ id: datasets.id });
  return rows.length > 0;
}

/** The project's dataset a study spec names, by id or by name. */
export async function findProjectDataset(
  db: Executor,
  projectId: string,
  idOrName: string,
): Promise<DatasetMeta | undefined> {
  const isId = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i.test(idOrName);
  const [row] = await db
    .select(metaColumns)
    .from(datasets)
    .where(
      and(
        eq(datasets.projectId, projectId),
        isId ? eq(datasets.id, idOrName) : eq(datasets.name, idOrName),
      ),
    );
  return row;
}
