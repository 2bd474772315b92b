"use client";
// The bar above every signed-in page: the team switcher, where to go, and who is signed in.
import { useQuery } from "@tanstack/react-query";
import Link from "next/link";
import { usePathname, useRouter } from "next/navigation";
import { authClient } from "../lib/auth-client.ts";
import { useCurrentTeamId } from "../lib/team.tsx";
import { useTRPC } from "../lib/trpc.tsx";

export function AppHeader() {
  const trpc = useTRPC();
  const router = useRouter();
  const pathname = usePathname();
  const { teamId, setTeamId } = useCurrentTeamId();
  const teams = useQuery(trpc.teams.list.queryOptions());
  const session = authClient.useSession();
  const current = teams.data?.find((team) => team.id === teamId) ?? teams.data?.[0];

  const links = current
    ? [
        { href: `/teams/${current.id}`, label: "Projects" },
        { href: "/runners", label: "Runners" },
        { href: `/teams/${current.id}/settings`, label: "Team settings" },
      ]
    : [{ href: "/runners", label: "Runners" }];

  return (
    <header className="app-header">
      <Link href="/teams" className="brand">
        Attune
      </Link>
      {teams.data && teams.data.length > 0 && (
        <label className="team-switcher">
          <span className="visually-hidden">Team</span>
          <select
            data-testid="team-switcher"
            value={current?.id ?? ""}
            onChange={(event) => {
              setTeamId(event.target.value);
              router.push(`/teams/${event.target.value}`);
            }}
          >
            {teams.data.map((team) => (
              <option key={team.id} value={team.id}>
                {team.name}
              </option>
            ))}
          </select>
        </label>
      )}
      <nav aria-label="Main" className="app-nav">
        {links.map((link) => (
          <Link
            key={link.href}
            href={link.href}
            aria-current={pathname === link.href ? "page" : undefined}
          >
            {link.label}
          </Link>
        ))}
      </nav>
      <div className="app-user">
        {session.data && (
          <span
            className="muted signed-in-as"
            title={session.data.user.email}
            data-testid="signed-in-as"
          >
            {session.data.user.email}
          </span>
        )}
        <button
          type="button"
          className="button ghost"
          onClick={async () => {
            await authClient.signOut();
            router.push("/sign-in");
          }}
        >
          Sign out
        </button>
      </div>
    </header>
  );
}
