import { getAuth } from "@attune/api/auth";
import { getSessionCookie } from "better-auth/cookies";
import { headers } from "next/headers";
import Link from "next/link";
import { redirect } from "next/navigation";
import { HealthPanel } from "./health-panel.tsx";

/** Whether the request carries a live session; false when the database cannot say. */
async function isSignedIn(): Promise<boolean> {
  const requestHeaders = await headers();
  // Without a session cookie there is nothing to look up.
  if (!getSessionCookie(requestHeaders)) return false;
  try {
    return (await getAuth().api.getSession({ headers: requestHeaders })) !== null;
  } catch {
    // A database that is down must not hide this page: its health panel says what is wrong.
    return false;
  }
}

export default async function HomePage() {
  if (await isSignedIn()) redirect("/teams");
  return (
    <main className="page">
      <header className="hero">
        <h1 data-testid="app-title">Attune</h1>
        <p className="tagline">
          Tune GPT-style language models — hyperparameters and architecture — with studies your team
          shares and runners that train every trial.
        </p>
        <p className="row">
          <Link className="button" href="/sign-in">
            Sign in
          </Link>
          <Link className="button secondary" href="/sign-up">
            Create an account
          </Link>
        </p>
      </header>
      <HealthPanel />
    </main>
  );
}
