// Limits the database enforces, free of database code so the web app's browser bundle can check
// them before sending anything.

/** Largest dataset text kept in the database, in UTF-8 bytes. */
export const DATASET_MAX_BYTES = 32 * 1024 * 1024;
