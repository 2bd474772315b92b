// Models: Hugging Face folders uploaded to a project or promoted from a trial's checkpoint. Their
// files are content-addressed blobs kept in PostgreSQL in chunks, so that every runner reads them
// through DATABASE_URL alone and the same file uploaded twice is stored once.
import {
  bigint,
  boolean,
  index,
  integer,
  jsonb,
  pgEnum,
  pgTable,
  primaryKey,
  text,
  timestamp,
  unique,
  uuid,
} from "drizzle-orm/pg-core";
import { MODEL_PART_BYTES } from "../limits.ts";
import { users } from "./auth.ts";
import { bytea, timestamps } from "./columns.ts";
import { projects } from "./projects.ts";

export { MODEL_PART_BYTES };

export const modelSource = pgEnum("model_source", ["upload", "trial"]);
export const modelStatus = pgEnum("model_status", ["uploading", "checking", "ready", "failed"]);

/** A file's bytes, named by their SHA-256 (hex); verified once the whole was hashed. */
export const blobs = pgTable("blobs", {
  hash: text().primaryKey(),
  sizeBytes: bigint({ mode: "number" }).notNull(),
  verified: boolean().notNull().default(false),
  createdAt: timestamp({ withTimezone: true }).notNull().defaultNow(),
});

/** A blob's bytes in order: chunk `index` holds bytes [index × MODEL_PART_BYTES, ...). */
export const blobChunks = pgTable(
  "blob_chunks",
  {
    hash: text()
      .notNull()
      .references(() => blobs.hash, { onDelete: "cascade" }),
    index: integer().notNull(),
    bytes: bytea().notNull(),
  },
  (t) => [primaryKey({ columns: [t.hash, t.index] })],
);

export const models = pgTable(
  "models",
  {
    id: uuid().primaryKey().defaultRandom(),
    projectId: uuid()
      .notNull()
      .references(() => projects.id, { onDelete: "cascade" }),
    name: text().notNull(),
    source: modelSource().notNull(),
    /** config.json's model_type, once checked. */
    architecture: text(),
    config: jsonb(),
    parameterCount: bigint({ mode: "number" }),
    sizeBytes: bigint({ mode: "number" }).notNull(),
    /** SHA-256 of the sorted "file name  file hash" lines: equal folders hash equal. */
    contentHash: text().notNull(),
    /** Which tokenizer file the folder has: "tokenizer.json", "vocab.json" (GPT-2's), or null. */
    tokenizer: text(),
    status: modelStatus().notNull().default("uploading"),
    /** Why the checks refused the model, when status is failed. */
    error: text(),
    createdBy: text().references(() => users.id, { onDelete: "set null" }),
    ...timestamps,
  },
  (t) => [unique().on(t.projectId, t.name), index().on(t.projectId)],
);

/** The files of a model's folder; blobs outlive a model only while another model holds them. */
export const modelFiles = pgTable(
  "model_files",
  {
    modelId: uuid()
      .notNull()
      .references(() => models.id, { onDelete: "cascade" }),
    name: text().notNull(),
    blobHash: text()
      .notNull()
      .references(() => blobs.hash),
  },
  (t) => [primaryKey({ columns: [t.modelId, t.name] }), index().on(t.blobHash)],
);

/**
 * The parts an upload has sent, per file. A blob's chunks may already be stored by another upload:
 * the uploader still sends every part (compared with the stored chunk), so that knowing a file's
 * hash is not enough to obtain another team's weights.
 */
export const modelUploadParts = pgTable(
  "model_upload_parts",
  {
    modelId: uuid()
      .notNull()
      .references(() => models.id, { onDelete: "cascade" }),
    fileName: text().notNull(),
    index: integer().notNull(),
  },
  (t) => [primaryKey({ columns: [t.modelId, t.fileName, t.index] })],
);
