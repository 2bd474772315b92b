export * from "./controller.ts";
export * from "./datasets.ts";
export * from "./decisions.ts";
export * from "./history.ts";
export * from "./limits.ts";
export * from "./population.ts";
