// Limits the database enforces, free of database code so the web app's browser bundle can check
// them before sending anything.

/** Largest dataset text kept in the database, in UTF-8 bytes. */
export const DATASET_MAX_BYTES = 32 * 1024 * 1024;

/** A model file travels and is stored in parts of this size (the last one shorter). */
export const MODEL_PART_BYTES = 4 * 1024 * 1024;
