export * from "./audit.ts";
export * from "./auth.ts";
export * from "./metrics.ts";
export * from "./projects.ts";
export * from "./runners.ts";
export * from "./strategies.ts";
export * from "./studies.ts";
export * from "./teams.ts";
