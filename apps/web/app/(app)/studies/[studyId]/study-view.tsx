"use client";
// The live dashboard of one study: where it stands against its budget, its curves, every trial in
// a table, and what the finished trials say (parallel coordinates, parameter importance, the
// Pareto front). A live subscription tells it what changed, and only that is read again.
import { useQueryClient } from "@tanstack/react-query";
import { useCallback, useMemo, useState } from "react";
import {
  Empty,
  ErrorNote,
  Loading,
  PageError,
  PageHeader,
  projectCrumbs,
  StateBadge,
} from "~/components/ui.tsx";
import { createHighlightStore } from "~/lib/highlight.ts";
import {
  curvesToRefresh,
  isStudyFinished,
  type LiveSnapshot,
  liveStoppedText,
  resultsChanged,
  snapshotMatches,
} from "~/lib/study-live.ts";
import { useTeamScope } from "~/lib/team.tsx";
import { parameterNames } from "~/lib/trial-table.ts";
import { errorCode, useTRPC } from "~/lib/trpc.tsx";
import { ImportanceCard, ParallelCard, ParetoCard } from "./analysis-cards.tsx";
import { BestExportCard } from "./best-export-card.tsx";
import { CurvesCard } from "./curves-card.tsx";
import { LineageCard } from "./lineage-card.tsx";
import styles from "./study.module.css";
import { StudyControls } from "./study-controls.tsx";
import {
  refreshCurves,
  type StudyTrial,
  studyTrialsKey,
  useParetoFront,
  useStudy,
  useStudyLive,
  useStudyTrials,
} from "./study-data.ts";
import { StudySummary } from "./study-summary.tsx";
import { TrialsCard } from "./trials-card.tsx";

export function StudyView({ studyId }: { studyId: string }) {
  const trpc = useTRPC();
  const queryClient = useQueryClient();
  const { study, spec, project } = useStudy(studyId);
  const trials = useStudyTrials(studyId);
  const { team, canEdit } = useTeamScope(project.data?.teamId);
  const [highlight] = useState(createHighlightStore);
  const [states, setStates] = useState<ReadonlySet<string>>(() => new Set());

  const onSnapshot = useCallback(
    (snapshot: LiveSnapshot, previous: LiveSnapshot | undefined) => {
      const studyKey = trpc.studies.get.queryKey({ studyId });
      const loaded = queryClient.getQueryData(studyKey);
      const loadedTrials = queryClient.getQueryData<StudyTrial[]>(studyTrialsKey(studyId));
      // The first snapshot describes what the page has just read, unless something changed since.
      if (
        previous === undefined &&
        loaded &&
        loadedTrials &&
        snapshotMatches(snapshot, { ...loaded, trials: loadedTrials })
      ) {
        return;
      }
      void queryClient.invalidateQueries({ queryKey: studyTrialsKey(studyId) });
      // A population's rounds happen as its members pause and resume.
      void queryClient.invalidateQueries({ queryKey: trpc.lineage.get.queryKey({ studyId }) });
      void refreshCurves(queryClient, studyId, curvesToRefresh(previous, snapshot));
      if (previous === undefined || resultsChanged(previous, snapshot)) {
        void queryClient.invalidateQueries({ queryKey: studyKey });
        void queryClient.invalidateQueries({ queryKey: trpc.analysis.pathKey() });
        void queryClient.invalidateQueries({
          queryKey: trpc.studies.exportBest.queryKey({ studyId }),
        });
      }
    },
    [queryClient, studyId, trpc],
  );

  const status = study.data?.status;
  const liveWanted = status !== undefined && !isStudyFinished(status);
  const live = useStudyLive(studyId, liveWanted, onSnapshot);

  const objectives = spec?.objectives ?? [];
  const parameters = useMemo(
    () => (spec && trials.data ? parameterNames(spec.searchSpace, trials.data) : []),
    [spec, trials.data],
  );
  const front = useParetoFront(studyId, objectives.length, trials.data);
  const frontIds = useMemo(
    () => new Set(front.data?.trials.map((trial) => trial.trialId)),
    [front.data],
  );

  if (study.error) {
    return <PageError title="Study" error={study.error} what="study" />;
  }
  if (!study.data || !spec) return <Loading label="Loading the study…" />;

  return (
    <div className={styles.page} data-testid="study-dashboard">
      <PageHeader
        title={
          <span className={styles.title}>
            {study.data.name} <StateBadge state={study.data.status} />
            <LiveIndicator wanted={liveWanted} status={live.status} error={live.error} />
          </span>
        }
        subtitle={`${spec.task} on ${spec.dataset} · ${spec.sampler.kind} sampler · pruner ${spec.pruner.kind}`}
        crumbs={[...projectCrumbs(project.data, team), { label: study.data.name }]}
        actions={<StudyControls study={study.data} canEdit={canEdit} />}
      />
      {study.data.status === "failed" && study.data.error && (
        <div className="error" role="alert" data-testid="study-error">
          The study failed: {study.data.error}
        </div>
      )}
      {trials.error ? (
        <ErrorNote error={trials.error} />
      ) : !trials.data ? (
        <Loading label="Loading trials…" />
      ) : (
        <>
          <StudySummary
            study={study.data}
            spec={spec}
            trials={trials.data}
            front={front.data?.trials}
          />
          {trials.data.length === 0 ? (
            <Empty>
              <span data-testid="no-trials">
                No trials yet.{" "}
                {study.data.status === "draft"
                  ? "Start the study to have runners train its first trials."
                  : "Runners create and train them as the study runs; they appear here as they start."}
              </span>
            </Empty>
          ) : (
            <>
              <CurvesCard
                studyId={studyId}
                task={spec.task}
                trials={trials.data}
                objectives={objectives}
                states={states}
                highlight={highlight}
              />
              <TrialsCard
                studyId={studyId}
                trials={trials.data}
                objectives={objectives}
                parameters={parameters}
                bestTrialId={study.data.bestTrialId}
                frontIds={frontIds}
                states={states}
                onStatesChange={setStates}
                highlight={highlight}
              />
              {(spec.sampler.kind === "pbt" || spec.sampler.kind === "pbt-replay") && (
                <LineageCard studyId={studyId} spec={spec} />
              )}
              <ParallelCard
                spec={spec}
                trials={trials.data}
                parameters={parameters}
                onPick={highlight.set}
              />
              <div className={styles.analysis}>
                <ImportanceCard studyId={studyId} objectives={objectives} trials={trials.data} />
                {objectives.length > 1 && (
                  <ParetoCard
                    front={front}
                    trials={trials.data}
                    objectives={objectives}
                    onPick={highlight.set}
                  />
                )}
                <BestExportCard study={study.data} front={front.data?.trials} />
              </div>
            </>
          )}
        </>
      )}
    </div>
  );
}

function LiveIndicator({
  wanted,
  status,
  error,
}: {
  wanted: boolean;
  status: string;
  error: unknown;
}) {
  if (!wanted) return null;
  const connected = status === "pending";
  const label = connected
    ? "Live"
    : status === "error"
      ? liveStoppedText(errorCode(error))
      : "Connecting…";
  return (
    <span
      className={`${styles.live} ${connected ? styles.liveOn : ""}`}
      data-testid="live-indicator"
      data-status={status}
      title={connected ? "Updates as trials report metrics" : label}
    >
      <span aria-hidden="true" className={styles.liveDot} />
      {label}
    </span>
  );
}
