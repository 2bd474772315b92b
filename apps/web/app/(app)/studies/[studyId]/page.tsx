import type { Metadata } from "next";
import { Loading } from "~/components/ui.tsx";
import {
  HydrateClient,
  prefetch,
  prefetchProject,
  studyTrialsQuery,
  trpc,
} from "~/lib/trpc-server.tsx";
import { StudyView } from "./study-view.tsx";

export const metadata: Metadata = { title: "Study" };

export default async function StudyPage({ params }: { params: Promise<{ studyId: string }> }) {
  const { studyId } = await params;
  // The study with its project and team (header, crumbs, controls), and the trial table beside
  // them: the dashboard's first paint. Curves and analyses load in the browser.
  const prefetched = Promise.all([
    prefetch(trpc.studies.get.queryOptions({ studyId })).then(
      (study) => study && prefetchProject(study.projectId),
    ),
    prefetch(studyTrialsQuery(studyId)),
  ]);
  return (
    <HydrateClient prefetched={prefetched} fallback={<Loading label="Loading the study…" />}>
      <StudyView studyId={studyId} />
    </HydrateClient>
  );
}
