// What a failed sign-in or sign-up says, in words a user can act on.

/** The error better-auth's client returns: the HTTP status, and a code for the known cases. */
export interface AuthFailure {
  status?: number;
  code?: string;
  message?: string;
}

export interface AuthErrorText {
  message: string;
  /** An account with that address exists: offer to sign in instead. */
  offerSignIn?: boolean;
}

export function authErrorText(error: AuthFailure, mode: "sign-in" | "sign-up"): AuthErrorText {
  if (error.status === 429) {
    // The per-account limit's message says how long this account must wait.
    if (error.code === "TOO_MANY_SIGN_IN_ATTEMPTS" && error.message)
      return { message: error.message };
    return { message: "Too many attempts from this address. Wait a minute, then try again." };
  }
  switch (error.code) {
    case "INVALID_EMAIL_OR_PASSWORD":
      return { message: "Wrong email or password." };
    case "USER_ALREADY_EXISTS":
    case "USER_ALREADY_EXISTS_USE_ANOTHER_EMAIL":
      return { message: "An account with this email already exists.", offerSignIn: true };
    case "PASSWORD_TOO_SHORT":
      return { message: "The password is too short: use at least 8 characters." };
    case "PASSWORD_TOO_LONG":
      return { message: "The password is too long: use at most 128 characters." };
    case "INVALID_EMAIL":
      return { message: "That is not a valid email address." };
  }
  if (error.status !== undefined && error.status >= 500) {
    return { message: "The server could not answer. Try again in a moment." };
  }
  const fallback = mode === "sign-in" ? "Signing in failed." : "Creating the account failed.";
  return { message: error.message ? `${fallback} ${error.message}` : fallback };
}
