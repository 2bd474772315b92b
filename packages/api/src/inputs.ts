// Input fields shared by the routers: the ids and names every procedure validates the same way.
import { z } from "zod";

/** Ids of rows better-auth creates (users, teams, invitations, API keys): URL-safe text. */
export const textId = z
  .string()
  .max(64)
  .regex(/^[A-Za-z0-9_-]+$/, "must be an id: letters, digits, _ and -");

/** Names and other text people read on one line: core states their bounds, for specs too. */
export { displayNameSchema as displayName, lineOfText } from "@attune/core/spec";

export const description = z.string().max(2000);

/** Length first, so that a huge input is refused before the address pattern reads it. */
export const email = z.string().max(254, { abort: true }).pipe(z.email().toLowerCase());

/** A role that can be given: owner passes only by transferring ownership. */
export const assignableRole = z.enum(["admin", "member", "viewer"]);

export const teamId = textId;
export const userId = textId;
export const projectId = z.uuid();
export const datasetId = z.uuid();
export const modelId = z.uuid();
export const studyId = z.uuid();
export const trialId = z.uuid();
