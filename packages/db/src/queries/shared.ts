// Helpers shared by the query modules; not exported from the package.
import { randomUUID } from "node:crypto";
import { getTableColumns, type Table } from "drizzle-orm";

/**
 * Auth-owned tables (users, teams, API keys, ...) have text ids that better-auth normally makes.
 * Callers here may pass one; otherwise a random UUID is used, as better-auth would.
 */
export type WithOptionalId<T extends { id: string }> = Omit<T, "id"> & { id?: string };

export function withId<T extends { id?: string }>(values: T): T & { id: string } {
  return { ...values, id: values.id ?? randomUUID() };
}

/** The one row a statement was expected to return; throws `context` when there is none. */
export function single<T>(rows: T[], context: string): T {
  const [row] = rows;
  if (!row) throw new Error(context);
  return row;
}

/** A table's columns less some, for selecting rows without their large or secret fields. */
export function columnsWithout<T extends Table, K extends keyof T["_"]["columns"]>(
  table: T,
  ...omitted: K[]
): Omit<T["_"]["columns"], K> {
  const columns: Partial<T["_"]["columns"]> = { ...getTableColumns(table) };
  for (const name of omitted) delete columns[name];
  return columns as Omit<T["_"]["columns"], K>;
}
