"use client";
// What the study dashboard and the compare page read: the study with its spec, every trial (in
// pages of 500), each trial's curve of one metric (cached per trial, fetched in batches of 100),
// and the live subscription that says what changed.
import { type QueryClient, useQueries, useQuery, useQueryClient } from "@tanstack/react-query";
import { useSubscription } from "@trpc/tanstack-react-query";
import { useMemo, useRef } from "react";
import { createCurveLoader } from "~/lib/curve-loader.ts";
import type { CurvePoint } from "~/lib/curves.ts";
import { isCurveOf, type LiveSnapshot, trialCurveKey, trialCurvePrefix } from "~/lib/study-live.ts";
import { type RouterOutputs, useTRPC, useTRPCClient } from "~/lib/trpc.tsx";

export type Study = RouterOutputs["studies"]["get"];
export type ParetoFront = RouterOutputs["analysis"]["paretoFront"];
export type FrontTrial = ParetoFront["trials"][number];
type TrialPage = RouterOutputs["trials"]["list"];
export type StudyTrial = TrialPage["trials"][number];

/** Trials per trials.list call: the most it gives. */
const TRIAL_PAGE = 500;

export function studyTrialsKey(studyId: string) {
  return ["study-trials", studyId] as const;
}

/** The study and its typed spec, as the API reads it. */
export function useStudy(studyId: string) {
  const trpc = useTRPC();
  const study = useQuery(trpc.studies.get.queryOptions({ studyId }));
  const spec = study.data?.spec;
  const project = useQuery({
    ...trpc.projects.get.queryOptions({ projectId: study.data?.projectId ?? "" }),
    enabled: !!study.data,
  });
  return { study, spec, project };
}

/** Every trial of the study by number: one call for up to 500, more in parallel beyond. */
export function useStudyTrials(studyId: string) {
  const client = useTRPCClient();
  return useQuery({
    queryKey: studyTrialsKey(studyId),
    queryFn: async ({ signal }) => {
      const list = (offset: number) =>
        client.trials.list.query({ studyId, limit: TRIAL_PAGE, offset }, { signal });
      const first = await list(0);
      const rest = [];
      for (let offset = TRIAL_PAGE; offset < first.total; offset += TRIAL_PAGE) {
        rest.push(list(offset));
      }
      const pages = await Promise.all(rest);
      // A trial created while the pages were read can appear twice; keep it once.
      const byId = new Map<string, StudyTrial>();
      for (const trial of [first, ...pages].flatMap((page) => page.trials)) {
        byId.set(trial.id, trial);
      }
      return [...byId.values()].sort((a, b) => a.number - b.number);
    },
  });
}

/** Marks the curves of `trialIds` stale, so the ones on screen are read again (in one batch). */
export function refreshCurves(
  queryClient: QueryClient,
  studyId: string,
  trialIds: readonly string[],
): Promise<void> {
  if (trialIds.length === 0) return Promise.resolve();
  const ids = new Set(trialIds);
  return queryClient.invalidateQueries({
    predicate: ({ queryKey }) => isCurveOf(queryKey, studyId, ids),
  });
}

export interface TrialCurves {
  /** Each trial's points, in the order of the ids asked for; undefined until read. */
  points: (CurvePoint[] | undefined)[];
  loaded: number;
  error: unknown;
}

function combineCurves(
  results: { data: CurvePoint[] | undefined; error: unknown; isSuccess: boolean }[],
): TrialCurves {
  return {
    points: results.map((result) => result.data),
    loaded: results.reduce((sum, result) => sum + (result.isSuccess ? 1 : 0), 0),
    error: results.find((result) => result.error)?.error ?? null,
  };
}

/**
 * The curves of `metric` for `trials`, at most `maxPoints` points each. A curve is read once for
 * each state its trial is seen in (trialCurveKey) and kept: while the trial runs, the live view
 * marks it stale (refreshCurves) when the trial has new points. Until a trial's curve is read in
 * its new state, the page shows its last reading.
 */
export function useTrialCurves(
  studyId: string,
  trials: readonly { id: string; state: string }[],
  metric: string,
  maxPoints: number,
): TrialCurves {
  const client = useTRPCClient();
  const queryClient = useQueryClient();
  const loader = useMemo(
    () =>
      createCurveLoader((key, ids) =>
        client.trials.curves.query({ studyId, keys: [key], trialIds: ids, maxPoints }),
      ),
    [client, studyId, maxPoints],
  );
  // The same queries while the same trials are in the same states, so a re-render (or the list
  // of trials read again) does not make React Query compare 500.
  const signature = trials.map((trial) => `${trial.id} ${trial.state}`).join(",");
  const queries = useMemo(
    () =>
      (signature ? signature.split(",") : []).map((entry) => {
        const [id = "", state = ""] = entry.split(" ");
        return {
          queryKey: trialCurveKey(studyId, metric, maxPoints, { id, state }),
          queryFn: () => loader.load(metric, id),
          placeholderData: () =>
            lastReading(queryClient, trialCurvePrefix(studyId, metric, maxPoints, id)),
          staleTime: Number.POSITIVE_INFINITY,
        };
      }),
    [signature, studyId, metric, maxPoints, loader, queryClient],
  );
  return useQueries({ queries, combine: combineCurves });
}

/** The latest reading of a trial's curve in any state, if there is one. */
function lastReading(queryClient: QueryClient, prefix: readonly unknown[]) {
  let latest: { data: CurvePoint[]; at: number } | undefined;
  for (const query of queryClient.getQueryCache().findAll({ queryKey: prefix })) {
    const { data, dataUpdatedAt } = query.state;
    if (data !== undefined && (!latest || dataUpdatedAt > latest.at)) {
      latest = { data: data as CurvePoint[], at: dataUpdatedAt };
    }
  }
  return latest?.data;
}

/**
 * The study's live snapshots while `enabled`: `onSnapshot` hears each one (with the one before),
 * and the status says whether the stream is connected.
 */
export function useStudyLive(
  studyId: string,
  enabled: boolean,
  onSnapshot: (snapshot: LiveSnapshot, previous: LiveSnapshot | undefined) => void,
) {
  const trpc = useTRPC();
  const handler = useRef(onSnapshot);
  handler.current = onSnapshot;
  const previous = useRef<LiveSnapshot | undefined>(undefined);
  const subscription = useSubscription(
    trpc.studies.live.subscriptionOptions(
      { studyId },
      {
        enabled,
        onData: (event) => {
          const snapshot = event.data as LiveSnapshot;
          handler.current(snapshot, previous.current);
          previous.current = snapshot;
        },
      },
    ),
  );
  return {
    status: subscription.status,
    snapshot: subscription.data?.data,
    error: subscription.error,
  };
}

/**
 * The Pareto front so far of a study of several objectives, once a trial has a result; read again
 * with the other analyses when results change. The table, the summary, the export and the front's
 * chart all follow this one read.
 */
export function useParetoFront(
  studyId: string,
  objectiveCount: number,
  trials: readonly StudyTrial[] | undefined,
) {
  const trpc = useTRPC();
  return useQuery({
    ...trpc.analysis.paretoFront.queryOptions({ studyId }),
    enabled: objectiveCount > 1 && (trials?.some((trial) => trial.values !== null) ?? false),
  });
}
