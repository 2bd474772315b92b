// Bounds on what users call themselves: checked on every write of a user row that better-auth
// makes (sign-up, update-user, change-email), whichever endpoint it comes through.
import { APIError } from "better-auth/api";
import { z } from "zod";
import { displayName, email } from "./inputs.ts";

/** The RFC 5321 limit on the part before the @ (the whole address is bounded by `email`). */
const EMAIL_LOCAL_PART_MAX_LENGTH = 64;

export const userEmail = email.refine(
  (address) => address.slice(0, address.lastIndexOf("@")).length <= EMAIL_LOCAL_PART_MAX_LENGTH,
  `the part before @ must be at most ${EMAIL_LOCAL_PART_MAX_LENGTH} characters`,
);

// A person's name has the bounds of every other name (one visible line of at most 100 characters).
const userFields = z.object({ name: displayName, email: userEmail }).partial();

/** The name and e-mail among `fields`, checked and normalised; a BAD_REQUEST saying why if not. */
function checkedUserFields<Fields extends Record<string, unknown>>(fields: Fields): Fields {
  // Other fields pass as they are: the schema reads and returns only the name and e-mail.
  const result = userFields.safeParse(fields);
  if (!result.success) {
    throw new APIError("BAD_REQUEST", {
      message: z.prettifyError(result.error),
      code: "INVALID_USER_FIELDS",
    });
  }
  return { ...fields, ...result.data };
}

/** better-auth's database hooks that apply the bounds above. */
export const userFieldHooks = {
  user: {
    create: {
      before: async (user: Record<string, unknown>) => ({ data: checkedUserFields(user) }),
    },
    update: {
      before: async (user: Record<string, unknown>) => ({ data: checkedUserFields(user) }),
    },
  },
};
