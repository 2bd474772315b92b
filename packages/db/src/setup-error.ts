/** A failure the user can act on; its message is the whole story, no stack trace needed. */
export class DatabaseSetupError extends Error {
  override name = "DatabaseSetupError";
}
