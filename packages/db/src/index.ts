export * from "./client.ts";
export * from "./errors.ts";
export * from "./health.ts";
export * from "./migrate.ts";
export * from "./queries/runners.ts";
export * from "./queue.ts";
export * from "./schema/index.ts";
