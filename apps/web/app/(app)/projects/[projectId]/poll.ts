/** How often a project's lists with work in progress are read again. */
export const POLL_MS = 5_000;
