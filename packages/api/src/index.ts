import type { inferRouterInputs, inferRouterOutputs } from "@trpc/server";
import type { AppRouter } from "./root.ts";

export { type AppRouter, appRouter } from "./root.ts";
export {
  type Context,
  type ContextOptions,
  createCallerFactory,
  createTRPCContext,
} from "./trpc.ts";

/** What each procedure takes, e.g. `RouterInputs["projects"]["create"]`. */
export type RouterInputs = inferRouterInputs<AppRouter>;
/** What each procedure returns, e.g. `RouterOutputs["studies"]["get"]`. */
export type RouterOutputs = inferRouterOutputs<AppRouter>;
