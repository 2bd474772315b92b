import type { Metadata } from "next";
import { Loading } from "~/components/ui.tsx";
import { HydrateClient, prefetch, prefetchProject, trpc } from "~/lib/trpc-server.tsx";
import { TrialPage } from "./trial-page.tsx";

export const metadata: Metadata = { title: "Trial" };

export default async function Page({ params }: { params: Promise<{ trialId: string }> }) {
  const { trialId } = await params;
  // The trial, then its study (the page waits for both) and the study's project and team; its
  // checkpoints beside them. Its curves load in the browser.
  const prefetched = Promise.all([
    prefetch(trpc.trials.get.queryOptions({ trialId }))
      .then((trial) => trial && prefetch(trpc.studies.get.queryOptions({ studyId: trial.studyId })))
      .then((study) => study && prefetchProject(study.projectId)),
    prefetch(trpc.trials.checkpoints.queryOptions({ trialId })),
  ]);
  return (
    <HydrateClient prefetched={prefetched} fallback={<Loading label="Loading the trial…" />}>
      <TrialPage trialId={trialId} />
    </HydrateClient>
  );
}
