// The roles an admin can give, shared by the members and invitations cards.
import type { RouterInputs } from "~/lib/trpc.tsx";

export type AssignableRole = RouterInputs["members"]["setRole"]["role"];

/** The roles an admin can give, with what each may do; ownership changes hands only by a transfer. */
export const ROLE_HINTS: Record<AssignableRole, string> = {
  admin: "manages members, invitations and the team",
  member: "creates and runs projects, datasets and studies",
  viewer: "reads everything, changes nothing",
};
export const ASSIGNABLE_ROLES = Object.keys(ROLE_HINTS) as AssignableRole[];
