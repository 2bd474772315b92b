import type { Metadata } from "next";
import { Loading } from "~/components/ui.tsx";
import { HydrateClient, prefetch, prefetchProject, trpc } from "~/lib/trpc-server.tsx";
import { StudyView } from "./study-view.tsx";

export const metadata: Metadata = { title: "Study" };

export default async function StudyPage({ params }: { params: Promise<{ studyId: string }> }) {
  const { studyId } = await params;
  // The study with its project and team (header, crumbs, controls): the first paint. The trial
  // table and the curves load in the browser: handing 500 trials over with the page measured
  // slower to the first table row (e2e/support/measure-dashboard.ts) than the browser's own read.
  const prefetched = prefetch(trpc.studies.get.queryOptions({ studyId })).then(
    (study) => study && prefetchProject(study.projectId),
  );
  return (
    <HydrateClient prefetched={prefetched} fallback={<Loading label="Loading the study…" />}>
      <StudyView studyId={studyId} />
    </HydrateClient>
  );
}
