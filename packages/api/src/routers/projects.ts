import { createProject, deleteProject, getProject, listProjects, updateProject } from "@attune/db";
import type { TRPCRouterRecord } from "@trpc/server";
import { z } from "zod";
import { audited } from "../audit.ts";
import { description, displayName, projectId, teamId } from "../inputs.ts";
import { notFound, teamProcedure } from "../trpc.ts";

export const projectsRouter = {
  create: teamProcedure(
    "member",
    z.strictObject({ teamId, name: displayName, description: description.optional() }),
  ).mutation(({ ctx, input }) =>
    audited(
      ctx,
      (tx) => createProject(tx, { ...input, createdBy: ctx.identity.userId }),
      (project) => ({
        teamId: project.teamId,
        action: "project.create",
        targetType: "project",
        targetId: project.id,
        details: { name: project.name },
      }),
    ),
  ),

  list: teamProcedure("viewer", z.strictObject({ teamId })).query(({ ctx, input }) =>
    listProjects(ctx.db, input.teamId),
  ),

  get: teamProcedure("viewer", z.strictObject({ projectId })).query(async ({ ctx, input }) => {
    const project = await getProject(ctx.db, input.projectId);
    if (!project) {
      throw notFound("project", input.projectId);
    }
    return project;
  }),

  update: teamProcedure(
    "member",
    z
      .strictObject({
        projectId,
        name: displayName.optional(),
        description: description.optional(),
      })
      .refine((input) => input.name !== undefined || input.description !== undefined, {
        message: "give a new name or description",
      }),
  ).mutation(({ ctx, input: { projectId, ...update } }) =>
    audited(
      ctx,
      (tx) => updateProject(tx, projectId, update),
      (project) => ({
        teamId: project.teamId,
        action: "project.update",
        targetType: "project",
        targetId: project.id,
        details: update,
      }),
    ),
  ),

  /** Deletes the project with its datasets, studies and trials: an admin's decision. */
  delete: teamProcedure("admin", z.strictObject({ projectId })).mutation(({ ctx, input }) =>
    audited(
      ctx,
      async (tx) => {
        const project = await getProject(tx, input.projectId);
        if (!project || !(await deleteProject(tx, input.projectId))) {
          throw notFound("project", input.projectId);
        }
        return project;
      },
      (project) => ({
        teamId: project.teamId,
        action: "project.delete",
        targetType: "project",
        targetId: project.id,
        details: { name: project.name },
      }),
    ),
  ),
} satisfies TRPCRouterRecord;
