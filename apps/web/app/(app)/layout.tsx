import type { ReactNode } from "react";
import { AppHeader } from "~/components/app-header.tsx";
import { CurrentTeamProvider } from "~/lib/team.tsx";

/** Every page of a signed-in user: the header with the team switcher above the page. */
export default function AppLayout({ children }: { children: ReactNode }) {
  return (
    <CurrentTeamProvider>
      <a className="skip-link" href="#main">
        Skip to content
      </a>
      <AppHeader />
      <main id="main" className="app-main">
        {children}
      </main>
    </CurrentTeamProvider>
  );
}
