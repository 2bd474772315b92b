"use client";
// Which team the header's switcher shows, and the signed-in user's role in a team. Pages name
// their team once they know it (a study page learns it from the study's project), so the header
// follows wherever a link leads.
import { useQuery } from "@tanstack/react-query";
import { createContext, type ReactNode, useContext, useEffect, useState } from "react";
import { type RouterOutputs, useTRPC } from "./trpc.tsx";

export type TeamWithRole = RouterOutputs["teams"]["get"];
export type TeamRole = TeamWithRole["role"];

const STORAGE_KEY = "attune.currentTeam";

interface CurrentTeam {
  teamId: string | null;
  setTeamId: (teamId: string) => void;
}

const CurrentTeamContext = createContext<CurrentTeam>({ teamId: null, setTeamId: () => {} });

export function CurrentTeamProvider({ children }: { children: ReactNode }) {
  const [teamId, setTeamIdState] = useState<string | null>(null);
  useEffect(() => setTeamIdState(window.localStorage.getItem(STORAGE_KEY)), []);
  const setTeamId = (next: string) => {
    window.localStorage.setItem(STORAGE_KEY, next);
    setTeamIdState(next);
  };
  return (
    <CurrentTeamContext.Provider value={{ teamId, setTeamId }}>
      {children}
    </CurrentTeamContext.Provider>
  );
}

export function useCurrentTeamId(): CurrentTeam {
  return useContext(CurrentTeamContext);
}

/** What a role may do, as the API enforces it: viewers read, members edit, admins manage. */
export function permissions(role: TeamRole | undefined) {
  return {
    canEdit: role === "member" || role === "admin" || role === "owner",
    canManage: role === "admin" || role === "owner",
    isOwner: role === "owner",
  };
}

/**
 * The team (with the user's role in it) that a page belongs to, made the header's current team.
 * Undefined while the page does not know its team yet.
 */
export function useTeamScope(teamId: string | undefined) {
  const trpc = useTRPC();
  const { teamId: current, setTeamId } = useCurrentTeamId();
  useEffect(() => {
    if (teamId && teamId !== current) setTeamId(teamId);
  }, [teamId, current, setTeamId]);
  const team = useQuery({
    ...trpc.teams.get.queryOptions({ teamId: teamId ?? "" }),
    enabled: !!teamId,
  });
  return { team: team.data, teamError: team.error, ...permissions(team.data?.role) };
}
