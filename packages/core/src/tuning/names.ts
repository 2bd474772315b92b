// Names people give things (teams, projects, datasets, studies, API keys) and read in lists: one
// line of bounded text that shows something. Zero-width and other invisible characters alone, line
// breaks, control characters and bidirectional overrides would make names that look empty, break
// layouts or read differently from what they are.
import { z } from "zod";

const hiddenOrBreaking = /^[^\p{Cc}\p{Zl}\p{Zp}\u202A-\u202E\u2066-\u2069]*$/u;

/** A character that shows: not a space, a control or format character, or a combining mark. */
const visible = /[^\p{White_Space}\p{C}\p{M}]/u;

/** One line of text of at most maxLength characters, surrounding spaces trimmed. */
export function lineOfText(maxLength: number) {
  return z
    .string()
    .trim()
    .min(1)
    .max(maxLength)
    .regex(
      hiddenOrBreaking,
      "must not contain control characters, line breaks or direction overrides",
    )
    .regex(visible, "must contain a visible character");
}

export const NAME_MAX_LENGTH = 100;

export const displayNameSchema = lineOfText(NAME_MAX_LENGTH);
