import type { Metadata } from "next";
import { Loading } from "~/components/ui.tsx";
import { HydrateClient, prefetch, prefetchProject, trpc } from "~/lib/trpc-server.tsx";
import { ProjectView } from "./project-view.tsx";

export const metadata: Metadata = { title: "Project" };

export default async function ProjectPage({ params }: { params: Promise<{ projectId: string }> }) {
  const { projectId } = await params;
  // The project and its team (the page waits for both), and its three lists.
  const prefetched = Promise.all([
    prefetchProject(projectId),
    prefetch(trpc.datasets.list.queryOptions({ projectId })),
    prefetch(trpc.studies.list.queryOptions({ projectId })),
    prefetch(trpc.strategies.list.queryOptions({ projectId })),
  ]);
  return (
    <HydrateClient prefetched={prefetched} fallback={<Loading />}>
      <ProjectView projectId={projectId} />
    </HydrateClient>
  );
}
