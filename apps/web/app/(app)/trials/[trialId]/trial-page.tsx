"use client";
// One trial of a study: where it stands, its curves, the settings it trains with, the runner, its
// history, its checkpoints, and a playground that generates text from it. While the trial has not
// finished, the page reads it again every LIVE_INTERVAL_MS.
import type { StudySpec } from "@attune/core/spec";
import { skipToken, useMutation, useQuery } from "@tanstack/react-query";
import Link from "next/link";
import { useEffect, useRef, useState } from "react";
import {
  ErrorNote,
  Loading,
  PageError,
  PageHeader,
  projectCrumbs,
  StateBadge,
  teamCrumbs,
} from "~/components/ui.tsx";
import { formatDuration, formatNumber } from "~/lib/format.ts";
import { useTeamScope } from "~/lib/team.tsx";
import { isTrialFinished, type TrialView } from "~/lib/trial-timeline.ts";
import { type RouterOutputs, useTRPC } from "~/lib/trpc.tsx";
import { CheckpointsCard } from "./checkpoints-card.tsx";
import { ConfigCard } from "./config-card.tsx";
import { CURVE_KEYS, lastStep, lastValue, TrialCurves } from "./curves-card.tsx";
import { Playground } from "./playground.tsx";
import { RunnerCard } from "./runner-card.tsx";
import { SamplesCard } from "./samples-card.tsx";
import { TimelineCard } from "./timeline-card.tsx";
import styles from "./trial.module.css";

/** How often a trial that has not finished, and its curves while it trains, are read again. */
const LIVE_INTERVAL_MS = 2_000;
/** Points per curve: enough for a chart as wide as the page. */
const MAX_POINTS = 1_000;

type Study = RouterOutputs["studies"]["get"];

export function TrialPage({ trialId }: { trialId: string }) {
  const trpc = useTRPC();
  const trial = useQuery({
    ...trpc.trials.get.queryOptions({ trialId }),
    refetchInterval: (query) => {
      const state = query.state.data?.state;
      return state && !isTrialFinished(state) ? LIVE_INTERVAL_MS : false;
    },
  });
  const studyId = trial.data?.studyId;
  const study = useQuery(trpc.studies.get.queryOptions(studyId ? { studyId } : skipToken));
  const projectId = study.data?.projectId;
  const project = useQuery(trpc.projects.get.queryOptions(projectId ? { projectId } : skipToken));
  const { team, canEdit } = useTeamScope(project.data?.teamId);

  const state = trial.data?.state;
  const training = state === "running";
  const curves = useQuery({
    ...trpc.trials.curves.queryOptions(
      studyId
        ? { studyId, trialIds: [trialId], keys: CURVE_KEYS, maxPoints: MAX_POINTS }
        : skipToken,
    ),
    refetchInterval: training ? LIVE_INTERVAL_MS : false,
  });
  const checkpoints = useQuery({
    ...trpc.trials.checkpoints.queryOptions({ trialId }),
    refetchInterval: training ? LIVE_INTERVAL_MS : false,
  });
  const generationSource = useQuery({
    ...trpc.trials.generationSource.queryOptions({ trialId }),
    refetchInterval: training ? LIVE_INTERVAL_MS : false,
  });

  // Points and checkpoints written just before a state change (the last evaluation, the final
  // checkpoint) arrive with one more read once the polling above has stopped.
  const seenState = useRef(state);
  const refetchCurves = curves.refetch;
  const refetchCheckpoints = checkpoints.refetch;
  const refetchGenerationSource = generationSource.refetch;
  useEffect(() => {
    if (seenState.current !== undefined && seenState.current !== state) {
      void refetchCurves();
      void refetchCheckpoints();
      void refetchGenerationSource();
    }
    seenState.current = state;
  }, [state, refetchCurves, refetchCheckpoints, refetchGenerationSource]);

  if (trial.isPending) return <Loading label="Loading the trial…" />;
  if (trial.isError || study.isError) {
    return (
      <PageError
        title="Trial"
        crumbs={teamCrumbs(undefined, undefined)}
        error={trial.error ?? study.error}
        what={trial.isError ? "trial" : "trial's study"}
      />
    );
  }
  if (study.isPending) return <Loading label="Loading the trial's study…" />;

  const spec = study.data.spec;
  // Instruction and dialogue trials are judged by what they generate for a prompt.
  const generates = spec.task === "instruction" || spec.task === "dialogue";
  const curveData = curves.data ?? [];
  // The row's lastStep moves only when training stops; while it trains, its curves run ahead.
  const trained = {
    ...trial.data,
    lastStep: Math.max(trial.data.lastStep, lastStep(curveData, "train_loss") ?? 0),
  };
  return (
    <div className="stack">
      <TrialHeader
        trial={trained}
        study={study.data}
        spec={spec}
        project={project.data}
        team={team}
        canEdit={canEdit}
        onCancelled={() => void trial.refetch()}
      />
      <TrialStats
        trial={trial.data}
        spec={spec}
        curves={curveData}
        isBest={study.data.bestTrialId === trial.data.id}
      />
      <TrialCurves
        curves={curveData}
        isPending={curves.isPending}
        error={curves.error}
        live={training}
      />
      {generates ? (
        <SamplesCard trialId={trialId} live={training} refetchIntervalMs={LIVE_INTERVAL_MS} />
      ) : null}
      <Playground trialId={trialId} source={generationSource.data} chat={generates} />
      <div className={styles.columns}>
        <ConfigCard trial={trial.data} spec={spec} />
        <div className="stack">
          <RunnerCard trial={trial.data} />
          <TimelineCard trial={trained} />
          <CheckpointsCard
            trialId={trialId}
            projectId={projectId}
            canEdit={canEdit}
            exportsAdapters={
              spec.model !== undefined &&
              trial.data.settings.ok &&
              trial.data.settings.values.finetune === "lora"
            }
            checkpoints={checkpoints.data}
            isPending={checkpoints.isPending}
            error={checkpoints.error}
          />
        </div>
      </div>
    </div>
  );
}

function TrialHeader({
  trial,
  study,
  spec,
  project,
  team,
  canEdit,
  onCancelled,
}: {
  trial: TrialView;
  study: Study;
  spec: StudySpec;
  project: RouterOutputs["projects"]["get"] | undefined;
  team: { name: string } | undefined;
  canEdit: boolean;
  onCancelled: () => void;
}) {
  const best = study.bestTrialId && study.bestTrialId !== trial.id ? study.bestTrialId : null;
  const compareHref = `/studies/${study.id}/compare?trials=${[trial.id, ...(best ? [best] : [])].join(",")}`;
  const steps = spec.budget.stepsPerTrial;
  return (
    <PageHeader
      crumbs={[
        ...projectCrumbs(project, team),
        { label: study.name, href: `/studies/${study.id}` },
        { label: `Trial ${trial.number}` },
      ]}
      title={
        <span className="row">
          Trial {trial.number} <StateBadge state={trial.state} />
        </span>
      }
      subtitle={
        <>
          Of study {study.name} · step {formatNumber(trial.lastStep)}
          {steps ? ` of ${formatNumber(steps)}` : ""}
        </>
      }
      actions={
        <>
          <Link className="button secondary" href={`/studies/${study.id}`}>
            Study dashboard
          </Link>
          <Link className="button secondary" href={compareHref}>
            {best ? "Compare with the best trial" : "Compare"}
          </Link>
          {canEdit && (trial.state === "queued" || trial.state === "running") && (
            <CancelTrial trialId={trial.id} onCancelled={onCancelled} />
          )}
        </>
      }
    />
  );
}

/** Cancelling asks once more, inline, so that one stray click cannot end a run. */
function CancelTrial({ trialId, onCancelled }: { trialId: string; onCancelled: () => void }) {
  const trpc = useTRPC();
  const [confirming, setConfirming] = useState(false);
  const cancel = useMutation(
    trpc.trials.cancel.mutationOptions({
      onSuccess: () => {
        setConfirming(false);
        onCancelled();
      },
    }),
  );
  if (!confirming) {
    return (
      <button type="button" className="button danger" onClick={() => setConfirming(true)}>
        Cancel trial
      </button>
    );
  }
  return (
    <span className="row">
      <span>Stop training this trial for good?</span>
      <button
        type="button"
        className="button danger"
        disabled={cancel.isPending}
        onClick={() => cancel.mutate({ trialId })}
      >
        {cancel.isPending ? "Cancelling…" : "Yes, cancel it"}
      </button>
      <button type="button" className="button ghost" onClick={() => setConfirming(false)}>
        Keep training
      </button>
      {cancel.error && <ErrorNote error={cancel.error} what="trial" />}
    </span>
  );
}

function TrialStats({
  trial,
  spec,
  curves,
  isBest,
}: {
  trial: TrialView;
  spec: StudySpec;
  curves: RouterOutputs["trials"]["curves"];
  isBest: boolean;
}) {
  const started = trial.startedAt?.getTime();
  const ended =
    trial.finishedAt?.getTime() ?? (isTrialFinished(trial.state) ? undefined : Date.now());
  return (
    <section className="stats" aria-label="The trial in numbers" data-testid="trial-stats">
      {spec.objectives.map((objective, index) => (
        <div className="stat" key={objective.metric}>
          <div className="label">
            {objective.metric} ({objective.direction}){isBest && index === 0 ? " · best" : ""}
          </div>
          <div className="value" data-testid="objective-value">
            {formatNumber(trial.values?.[index])}
          </div>
          {!trial.values && !isTrialFinished(trial.state) && (
            <div className="label">known when it finishes</div>
          )}
        </div>
      ))}
      <Stat label="Latest validation loss" value={formatNumber(lastValue(curves, "val_loss"))} />
      <Stat
        label="Training time"
        value={started !== undefined && ended !== undefined ? formatDuration(ended - started) : "–"}
      />
      <Stat label="Attempts" value={String(trial.attempts)} />
    </section>
  );
}

function Stat({ label, value }: { label: string; value: string }) {
  return (
    <div className="stat">
      <div className="label">{label}</div>
      <div className="value">{value}</div>
    </div>
  );
}
