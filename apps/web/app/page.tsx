import Link from "next/link";
import { HealthPanel } from "./health-panel.tsx";

export default function HomePage() {
  return (
    <main className="page">
      <header className="hero">
        <h1 data-testid="app-title">Attune</h1>
        <p className="tagline">
          Tune GPT-style language models — hyperparameters and architecture — with studies your team
          shares and runners that train every trial.
        </p>
        <p className="row">
          <Link className="button" href="/teams">
            Open your teams
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
