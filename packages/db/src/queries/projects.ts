// Projects: a team's named containers for datasets and studies.
import { asc, eq } from "drizzle-orm";
import type { Executor } from "../client.ts";
import { projects } from "../schema/index.ts";
import { single } from "./shared.ts";

export type Project = typeof projects.$inferSelect;
export type NewProject = Omit<typeof projects.$inferInsert, "id" | "createdAt" | "updatedAt">;
export type ProjectUpdate = Partial<Pick<NewProject, "name" | "description">>;

export async function createProject(db: Executor, project: NewProject): Promise<Project> {
  const rows = await db.insert(projects).values(project).returning();
  return single(
    rows,
    `creating project "${project.name}" in team ${project.teamId} returned no row`,
  );
}

export async function getProject(db: Executor, id: string): Promise<Project | undefined> {
  const [row] = await db.select().from(projects).where(eq(projects.id, id));
  return row;
}

export async function listProjects(db: Executor, teamId: string): Promise<Project[]> {
  return db.select().from(projects).where(eq(projects.teamId, teamId)).orderBy(asc(projects.name));
}

/** Renames or redescribes a project; throws when it does not exist. */
export async function updateProject(
  db: Executor,
  id: string,
  update: ProjectUpdate,
): Promise<Project> {
  const rows = await db.update(projects).set(update).where(eq(projects.id, id)).returning();
  return single(rows, `no project ${id}`);
}

/** Deletes the project with its datasets, studies, trials, metrics and checkpoints (cascade). */
export async function deleteProject(db: Executor, id: string): Promise<boolean> {
  const rows = await db.delete(projects).where(eq(projects.id, id)).returning({ id: projects.id });
  return rows.length > 0;
}
