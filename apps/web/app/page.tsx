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
      </header>
      <HealthPanel />
    </main>
  );
}
