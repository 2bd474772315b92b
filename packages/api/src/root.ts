import { analysisRouter } from "./routers/analysis.ts";
import { apiKeysRouter } from "./routers/api-keys.ts";
import { datasetsRouter } from "./routers/datasets.ts";
import { healthRouter } from "./routers/health.ts";
import { invitationsRouter } from "./routers/invitations.ts";
import { lineageRouter } from "./routers/lineage.ts";
import { membersRouter } from "./routers/members.ts";
import { modelsRouter } from "./routers/models.ts";
import { projectsRouter } from "./routers/projects.ts";
import { runnersRouter } from "./routers/runners.ts";
import { strategiesRouter } from "./routers/strategies.ts";
import { studiesRouter } from "./routers/studies.ts";
import { teamsRouter } from "./routers/teams.ts";
import { trialsRouter } from "./routers/trials.ts";
import { createTRPCRouter } from "./trpc.ts";

export const appRouter = createTRPCRouter({
  teams: teamsRouter,
  members: membersRouter,
  invitations: invitationsRouter,
  apiKeys: apiKeysRouter,
  projects: projectsRouter,
  datasets: datasetsRouter,
  models: modelsRouter,
  studies: studiesRouter,
  trials: trialsRouter,
  analysis: analysisRouter,
  lineage: lineageRouter,
  strategies: strategiesRouter,
  runners: runnersRouter,
  health: healthRouter,
});

export type AppRouter = typeof appRouter;
