// Rows tests build on: a user owning a team with a project and a study.
import { randomUUID } from "node:crypto";
import type { Executor } from "./client.ts";
import { createProject } from "./queries/projects.ts";
import { createStudy } from "./queries/studies.ts";
import { createTeam } from "./queries/teams.ts";
import { createUser } from "./queries/users.ts";

/** A name no other test in the database has used. */
export function uniqueName(prefix: string): string {
  return `${prefix}-${randomUUID().slice(0, 8)}`;
}

export async function seedUser(db: Executor) {
  const name = uniqueName("user");
  return createUser(db, { name, email: `${name}@example.com` });
}

export async function seedTeam(db: Executor) {
  const owner = await seedUser(db);
  const slug = uniqueName("team");
  const { team } = await createTeam(db, { name: slug, slug }, owner.id);
  return { owner, team };
}

export async function seedProject(db: Executor) {
  const { owner, team } = await seedTeam(db);
  const project = await createProject(db, {
    teamId: team.id,
    name: uniqueName("project"),
    createdBy: owner.id,
  });
  return { owner, team, project };
}

export async function seedStudy(db: Executor) {
  const seeded = await seedProject(db);
  const study = await createStudy(db, {
    projectId: seeded.project.id,
    name: uniqueName("study"),
    spec: { task: "char-lm", budget: { trials: 20 } },
    seed: 42,
  });
  return { ...seeded, study };
}
