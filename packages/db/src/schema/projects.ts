// Projects belong to a team; datasets belong to a project and keep their text in Postgres.
import { sql } from "drizzle-orm";
import {
  check,
  index,
  integer,
  jsonb,
  pgEnum,
  pgTable,
  text,
  unique,
  uuid,
} from "drizzle-orm/pg-core";
import { DATASET_FORMATS, DATASET_TASKS, TOKENIZER_KINDS } from "../dataset-kinds.ts";
import { DATASET_MAX_BYTES } from "../limits.ts";
import { users } from "./auth.ts";
import { timestamps } from "./columns.ts";
import { teams } from "./teams.ts";

export { DATASET_MAX_BYTES };

export const datasetSource = pgEnum("dataset_source", ["upload", "builtin"]);
/** JSONL holds text samples ("jsonl"), prompt/completion pairs or chat conversations. */
export const datasetFormat = pgEnum("dataset_format", DATASET_FORMATS);
export const datasetTask = pgEnum("dataset_task", DATASET_TASKS);
export const tokenizerKind = pgEnum("tokenizer_kind", TOKENIZER_KINDS);

export const projects = pgTable(
  "projects",
  {
    id: uuid().primaryKey().defaultRandom(),
    teamId: text()
      .notNull()
      .references(() => teams.id, { onDelete: "cascade" }),
    name: text().notNull(),
    description: text().notNull().default(""),
    createdBy: text().references(() => users.id, { onDelete: "set null" }),
    ...timestamps,
  },
  (t) => [unique().on(t.teamId, t.name)],
);

/** What the dataset statistics hold; computed by packages/core when a dataset is added. */
export interface DatasetStatistics {
  characters: number;
  tokens: number;
  vocabularySize: number;
  samples: number;
  /** Histogram of sample lengths in tokens: bucket upper bounds and counts. */
  sampleTokenLengths: { upperBounds: number[]; counts: number[] };
  /** How many of the vocabulary's tokens the dataset uses. */
  distinctTokens?: number;
  /** Nearest-rank percentiles of sample lengths in tokens. */
  sampleTokenLengthPercentiles?: {
    p50: number;
    p90: number;
    p95: number;
    p99: number;
    max: number;
  };
  /** Samples per label, for classification datasets. */
  labelCounts?: Record<string, number>;
  /** Instruction data: tokens per example not trained on (prompt, template, user turns). */
  promptTokenLengths?: { upperBounds: number[]; counts: number[] };
  /** Instruction data: tokens per example trained on (completion, assistant turns). */
  completionTokenLengths?: { upperBounds: number[]; counts: number[] };
}

export const datasets = pgTable(
  "datasets",
  {
    id: uuid().primaryKey().defaultRandom(),
    projectId: uuid()
      .notNull()
      .references(() => projects.id, { onDelete: "cascade" }),
    name: text().notNull(),
    source: datasetSource().notNull(),
    /** The corpus name when source is builtin, the uploaded file name otherwise. */
    origin: text().notNull(),
    format: datasetFormat().notNull().default("text"),
    task: datasetTask().notNull().default("language-modelling"),
    tokenizer: tokenizerKind().notNull(),
    content: text().notNull(),
    sizeBytes: integer().notNull(),
    statistics: jsonb().$type<DatasetStatistics>(),
    createdBy: text().references(() => users.id, { onDelete: "set null" }),
    ...timestamps,
  },
  (t) => [
    unique().on(t.projectId, t.name),
    index().on(t.projectId),
    check(
      "datasets_content_size",
      sql`octet_length(${t.content}) <= ${sql.raw(String(DATASET_MAX_BYTES))}`,
    ),
    check("datasets_size_bytes", sql`${t.sizeBytes} = octet_length(${t.content})`),
  ],
);
