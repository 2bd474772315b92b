// API keys for scripts: a random secret shown once, of which only a SHA-256 hash is stored.
import { createHash, randomBytes } from "node:crypto";

export const API_KEY_PREFIX = "att_";

/** Characters of the key kept in clear (the `start` column) so that users can tell keys apart. */
const DISPLAYED_CHARACTERS = API_KEY_PREFIX.length + 6;

/** Requests a key may make in a burst before a quiet window must pass; see spendApiKeyRequest. */
export const API_KEY_RATE_LIMIT = { timeWindowMs: 60_000, max: 600 };

export interface NewApiKeySecret {
  /** The whole key, to show once. */
  key: string;
  hash: string;
  start: string;
}

export function generateApiKey(): NewApiKeySecret {
  // 32 random bytes: a key that cannot be guessed, so a fast unsalted hash is enough to store it.
  const key = `${API_KEY_PREFIX}${randomBytes(32).toString("base64url")}`;
  return { key, hash: hashApiKey(key), start: key.slice(0, DISPLAYED_CHARACTERS) };
}

export function hashApiKey(key: string): string {
  return createHash("sha256").update(key).digest("hex");
}
