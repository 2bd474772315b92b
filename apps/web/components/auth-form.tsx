"use client";
// The sign-in and sign-up forms: better-auth's email and password endpoints, errors in plain words,
// and back to the page that sent the user here (`?next=`) once signed in.
import Link from "next/link";
import { useRouter } from "next/navigation";
import { type FormEvent, useState } from "react";
import { authClient } from "../lib/auth-client.ts";
import { type AuthErrorText, authErrorText } from "../lib/auth-errors.ts";
import { authPageHref, safeNextPath } from "../lib/next-path.ts";
import styles from "./auth-form.module.css";

type Mode = "sign-in" | "sign-up";

export function AuthForm({ mode, next }: { mode: Mode; next: string | null }) {
  const session = authClient.useSession();
  const destination = safeNextPath(next);
  const forInvitation = destination.startsWith("/invitations/");
  const signedIn = session.data?.user;

  return (
    <main className={styles.page}>
      <Link href="/" className="brand">
        Attune
      </Link>
      <section className={`card ${styles.card}`} aria-labelledby="auth-title">
        <h1 id="auth-title" className={styles.title}>
          {mode === "sign-in" ? "Sign in" : "Create your account"}
        </h1>
        {forInvitation && (
          <p className="notice">
            {mode === "sign-in"
              ? "Sign in with the address the invitation was sent to, to accept it."
              : "Create an account with the address the invitation was sent to, to accept it."}
          </p>
        )}
        {signedIn ? (
          <SignedInNote email={signedIn.email} destination={destination} mode={mode} />
        ) : (
          <Credentials mode={mode} next={next} destination={destination} />
        )}
      </section>
    </main>
  );
}

function SignedInNote({
  email,
  destination,
  mode,
}: {
  email: string;
  destination: string;
  mode: Mode;
}) {
  const router = useRouter();
  return (
    <div className="stack" data-testid="already-signed-in">
      <p className={styles.flush}>
        You are signed in as <strong>{email}</strong>.
      </p>
      <div className="row">
        <Link className="button" href={destination}>
          Continue
        </Link>
        <button
          type="button"
          className="button secondary"
          onClick={async () => {
            await authClient.signOut();
            router.refresh();
          }}
        >
          {mode === "sign-in" ? "Sign in as someone else" : "Sign out to create another account"}
        </button>
      </div>
    </div>
  );
}

function Credentials({
  mode,
  next,
  destination,
}: {
  mode: Mode;
  next: string | null;
  destination: string;
}) {
  const router = useRouter();
  const [error, setError] = useState<AuthErrorText | null>(null);
  const [pending, setPending] = useState(false);

  async function submit(event: FormEvent<HTMLFormElement>) {
    event.preventDefault();
    const form = new FormData(event.currentTarget);
    const email = String(form.get("email") ?? "").trim();
    const password = String(form.get("password") ?? "");
    setPending(true);
    setError(null);
    const result =
      mode === "sign-in"
        ? await authClient.signIn.email({ email, password })
        : await authClient.signUp.email({ email, password, name: String(form.get("name") ?? "") });
    if (result.error) {
      setError(authErrorText(result.error, mode));
      setPending(false);
      return;
    }
    router.replace(destination);
    router.refresh();
  }

  const other = mode === "sign-in" ? "/sign-up" : "/sign-in";
  return (
    <>
      <form className="stack" onSubmit={submit} aria-describedby={error ? "auth-error" : undefined}>
        {mode === "sign-up" && (
          <label className="field">
            <span>Name</span>
            <input name="name" autoComplete="name" required maxLength={100} />
          </label>
        )}
        <label className="field">
          <span>Email</span>
          <input name="email" type="email" autoComplete="email" required maxLength={254} />
        </label>
        <label className="field">
          <span>Password</span>
          <input
            name="password"
            type="password"
            autoComplete={mode === "sign-in" ? "current-password" : "new-password"}
            required
            minLength={mode === "sign-up" ? 8 : undefined}
            maxLength={128}
            aria-describedby={mode === "sign-up" ? "password-hint" : undefined}
          />
          {mode === "sign-up" && (
            <span className="hint" id="password-hint">
              At least 8 characters.
            </span>
          )}
        </label>
        {error && (
          <div className="error" role="alert" id="auth-error">
            {error.message}
            {error.offerSignIn && (
              <>
                {" "}
                <Link href={authPageHref("/sign-in", next)}>Sign in instead</Link>
              </>
            )}
          </div>
        )}
        <button type="submit" className={`button ${styles.submit}`} disabled={pending}>
          {mode === "sign-in"
            ? pending
              ? "Signing in…"
              : "Sign in"
            : pending
              ? "Creating the account…"
              : "Create account"}
        </button>
      </form>
      <p className="muted">
        {mode === "sign-in" ? "No account yet? " : "Already have an account? "}
        <Link href={authPageHref(other, next)}>
          {mode === "sign-in" ? "Create an account" : "Sign in"}
        </Link>
      </p>
    </>
  );
}
