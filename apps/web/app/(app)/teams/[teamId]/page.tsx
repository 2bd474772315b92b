import type { Metadata } from "next";
import { Loading } from "~/components/ui.tsx";
import { HydrateClient, prefetch, trpc } from "~/lib/trpc-server.tsx";
import { TeamView } from "./team-view.tsx";

export const metadata: Metadata = { title: "Projects" };

export default async function TeamPage({ params }: { params: Promise<{ teamId: string }> }) {
  const { teamId } = await params;
  // The team (the page waits for the user's role in it) and its projects.
  const prefetched = Promise.all([
    prefetch(trpc.teams.get.queryOptions({ teamId })),
    prefetch(trpc.projects.list.queryOptions({ teamId })),
  ]);
  return (
    <HydrateClient prefetched={prefetched} fallback={<Loading />}>
      <TeamView teamId={teamId} />
    </HydrateClient>
  );
}
