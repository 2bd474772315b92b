// Which team a resource belongs to and what role a user has there: the one read behind every
// access check of the API.
import { and, eq } from "drizzle-orm";
import type { Executor } from "../client.ts";
import {
  datasets,
  models,
  projects,
  studies,
  type TeamRole,
  teamMembers,
  teams,
  trials,
} from "../schema/index.ts";

export type ResourceKind = "team" | "project" | "dataset" | "model" | "study" | "trial";

export interface Access {
  teamId: string;
  /** Undefined when the user is not a member of the team. */
  role: TeamRole | undefined;
}

/** The team owning the resource, as a one-column query. */
function owningTeam(db: Executor, kind: ResourceKind, id: string) {
  switch (kind) {
    case "team":
      return db.select({ teamId: teams.id }).from(teams).where(eq(teams.id, id));
    case "project":
      return db.select({ teamId: projects.teamId }).from(projects).where(eq(projects.id, id));
    case "dataset":
      return db
        .select({ teamId: projects.teamId })
        .from(datasets)
        .innerJoin(projects, eq(projects.id, datasets.projectId))
        .where(eq(datasets.id, id));
    case "model":
      return db
        .select({ teamId: projects.teamId })
        .from(models)
        .innerJoin(projects, eq(projects.id, models.projectId))
        .where(eq(models.id, id));
    case "study":
      return db
        .select({ teamId: projects.teamId })
        .from(studies)
        .innerJoin(projects, eq(projects.id, studies.projectId))
        .where(eq(studies.id, id));
    case "trial":
      return db
        .select({ teamId: projects.teamId })
        .from(trials)
        .innerJoin(studies, eq(studies.id, trials.studyId))
        .innerJoin(projects, eq(projects.id, studies.projectId))
        .where(eq(trials.id, id));
  }
}

/** The resource's team and the user's role in it, in one query; undefined when there is none. */
export async function resolveAccess(
  db: Executor,
  kind: ResourceKind,
  id: string,
  userId: string,
): Promise<Access | undefined> {
  const owner = owningTeam(db, kind, id).as("owner");
  const [row] = await db
    .select({ teamId: owner.teamId, role: teamMembers.role })
    .from(owner)
    .leftJoin(
      teamMembers,
      and(eq(teamMembers.teamId, owner.teamId), eq(teamMembers.userId, userId)),
    );
  return row ? { teamId: row.teamId, role: row.role ?? undefined } : undefined;
}
