"use client";
// Trials of one study side by side: their curves overlaid, and their configurations in columns
// with the settings that differ marked. Which trials is the `trials` query parameter, so a
// comparison can be shared as a link; adding or removing a trial edits it.
import type { StudySpec } from "@attune/core/spec";
import { useQueryClient } from "@tanstack/react-query";
import Link from "next/link";
import { useRouter, useSearchParams } from "next/navigation";
import { type CSSProperties, useCallback, useMemo, useState } from "react";
import { LineChart, type LineSeries } from "~/components/line-chart.tsx";
import {
  Card,
  Empty,
  ErrorNote,
  Loading,
  PageError,
  PageHeader,
  projectCrumbs,
  StateBadge,
  TableScroll,
} from "~/components/ui.tsx";
import { compareHref, diffConfigs, MAX_COMPARED, parseTrialIds } from "~/lib/compare.ts";
import { type CurvePoint, seriesColor } from "~/lib/curves.ts";
import { formatDuration, formatNumber, formatParam } from "~/lib/format.ts";
import { curveMetrics, prefersLogScale } from "~/lib/metric-keys.ts";
import { curvesToRefresh, isStudyFinished, type LiveSnapshot } from "~/lib/study-live.ts";
import { useTeamScope } from "~/lib/team.tsx";
import { trialDuration } from "~/lib/trial-table.ts";
import { type CurveControls, CurveToolbar } from "../curves-card.tsx";
import styles from "../study.module.css";
import {
  refreshCurves,
  type StudyTrial,
  studyTrialsKey,
  useStudy,
  useStudyLive,
  useStudyTrials,
  useTrialCurves,
} from "../study-data.ts";

/** Points per curve when few trials share the chart: every step of a 1,000-step trial. */
const COMPARE_POINTS = 1000;

const NO_POINTS: CurvePoint[] = [];

export function CompareView({ studyId }: { studyId: string }) {
  const router = useRouter();
  const queryClient = useQueryClient();
  const searchParams = useSearchParams();
  const ids = parseTrialIds(searchParams.get("trials"));
  const { study, spec, project } = useStudy(studyId);
  const trials = useStudyTrials(studyId);

  const onSnapshot = useCallback(
    (snapshot: LiveSnapshot, previous: LiveSnapshot | undefined) => {
      if (!previous) return;
      void queryClient.invalidateQueries({ queryKey: studyTrialsKey(studyId) });
      void refreshCurves(queryClient, studyId, curvesToRefresh(previous, snapshot));
    },
    [queryClient, studyId],
  );
  const { team } = useTeamScope(project.data?.teamId);
  const status = study.data?.status;
  useStudyLive(studyId, status !== undefined && !isStudyFinished(status), onSnapshot);

  const byId = useMemo(
    () => new Map((trials.data ?? []).map((trial) => [trial.id, trial])),
    [trials.data],
  );
  const chosen = ids.flatMap((id) => byId.get(id) ?? []);
  const unknown = trials.data ? ids.filter((id) => !byId.has(id)) : [];
  const setIds = (next: string[]) => router.replace(compareHref(studyId, next), { scroll: false });

  if (study.error) {
    return <PageError title="Compare trials" error={study.error} what="study" />;
  }
  if (!study.data || !spec) return <Loading label="Loading the study…" />;

  const crumbs = [
    ...projectCrumbs(project.data, team),
    { label: study.data.name, href: `/studies/${studyId}` },
    { label: "Compare" },
  ];
  const candidates = (trials.data ?? []).filter((trial) => !ids.includes(trial.id));

  return (
    <div className={styles.page} data-testid="compare-page">
      <PageHeader
        title="Compare trials"
        subtitle={`${chosen.length} trials of ${study.data.name}, side by side`}
        crumbs={crumbs}
      />
      <Card title="Trials">
        <div className={styles.chips}>
          {chosen.map((trial, position) => (
            <span
              key={trial.id}
              className={styles.chip}
              style={{ "--series-color": seriesColor(position) } as CSSProperties}
              data-testid="compare-chip"
            >
              <Link href={`/trials/${trial.id}`} prefetch={false}>
                #{trial.number}
              </Link>
              <button
                type="button"
                aria-label={`Remove trial ${trial.number}`}
                onClick={() => setIds(ids.filter((id) => id !== trial.id))}
              >
                ×
              </button>
            </span>
          ))}
          {trials.data && ids.length < MAX_COMPARED && (
            <select
              aria-label="Add a trial"
              value=""
              data-testid="compare-add"
              onChange={(event) => {
                if (event.target.value) setIds([...ids, event.target.value]);
              }}
            >
              <option value="">Add a trial…</option>
              {candidates.map((trial) => (
                <option key={trial.id} value={trial.id}>
                  #{trial.number} · {trial.state}
                  {trial.values ? ` · ${trial.values.map(formatNumber).join(", ")}` : ""}
                </option>
              ))}
            </select>
          )}
        </div>
        {unknown.length > 0 && (
          <p className="notice" data-testid="compare-unknown">
            {unknown.length === 1 ? "One trial" : `${unknown.length} trials`} in the link{" "}
            {unknown.length === 1 ? "is" : "are"} not in this study and left out.
          </p>
        )}
      </Card>
      {trials.error ? (
        <ErrorNote error={trials.error} />
      ) : !trials.data ? (
        <Loading label="Loading trials…" />
      ) : chosen.length === 0 ? (
        <Empty>
          Pick trials to compare above, or tick them in the{" "}
          <Link href={`/studies/${studyId}`}>study's trial table</Link>.
        </Empty>
      ) : (
        <>
          <CompareCurves studyId={studyId} spec={spec} trials={chosen} />
          <CompareConfigs spec={spec} trials={chosen} />
        </>
      )}
    </div>
  );
}

function CompareCurves({
  studyId,
  spec,
  trials,
}: {
  studyId: string;
  spec: StudySpec;
  trials: readonly StudyTrial[];
}) {
  const metrics = curveMetrics(spec.task);
  const [controls, setControls] = useState<CurveControls>({
    metric: "val_loss",
    logScale: prefersLogScale("val_loss"),
    smoothing: 0,
  });
  const curves = useTrialCurves(studyId, trials, controls.metric, COMPARE_POINTS);
  const series = useMemo<LineSeries[]>(
    () =>
      trials.map((trial, index) => ({
        id: trial.id,
        label: `#${trial.number}`,
        points: curves.points[index] ?? NO_POINTS,
      })),
    [trials, curves.points],
  );
  return (
    <Card
      title="Curves"
      actions={<CurveToolbar metrics={metrics} value={controls} onChange={setControls} />}
    >
      {curves.error ? <ErrorNote error={curves.error} /> : null}
      <LineChart
        series={series}
        ariaLabel={`${controls.metric} of trials ${trials.map((trial) => trial.number).join(", ")}`}
        height={340}
        logScale={controls.logScale}
        smoothing={controls.smoothing}
        yLabel={controls.metric}
        testId="compare-curves"
      />
    </Card>
  );
}

function CompareConfigs({ spec, trials }: { spec: StudySpec; trials: readonly StudyTrial[] }) {
  const [onlyDifferences, setOnlyDifferences] = useState(false);
  const rows = diffConfigs(trials.map((trial) => ({ ...spec.fixed, ...trial.params })));
  const shown = onlyDifferences ? rows.filter((row) => row.differs) : rows;
  const now = Date.now();
  const results: { name: string; values: string[] }[] = [
    ...spec.objectives.map((objective, index) => ({
      name: objective.metric,
      values: trials.map((trial) => formatNumber(trial.values?.[index])),
    })),
    { name: "steps", values: trials.map((trial) => String(trial.lastStep)) },
    {
      name: "duration",
      values: trials.map((trial) => {
        const duration = trialDuration(trial, now);
        return duration === null ? "–" : formatDuration(duration);
      }),
    },
  ];
  return (
    <Card
      title="Configurations"
      actions={
        <label className={styles.inline}>
          <input
            type="checkbox"
            checked={onlyDifferences}
            onChange={(event) => setOnlyDifferences(event.target.checked)}
          />
          <span>Only differences ({rows.filter((row) => row.differs).length})</span>
        </label>
      }
    >
      <TableScroll label="The trials' settings side by side">
        <table className={`data ${styles.configTable}`} data-testid="compare-configs">
          <thead>
            <tr>
              <th>setting</th>
              {trials.map((trial, position) => (
                <th
                  key={trial.id}
                  className={styles.trialHead}
                  style={{ "--series-color": seriesColor(position) } as CSSProperties}
                >
                  <Link href={`/trials/${trial.id}`} prefetch={false}>
                    #{trial.number}
                  </Link>
                </th>
              ))}
            </tr>
          </thead>
          <tbody>
            <tr>
              <th scope="row">state</th>
              {trials.map((trial) => (
                <td key={trial.id}>
                  <StateBadge state={trial.state} />
                </td>
              ))}
            </tr>
            {results.map((row) => (
              <tr key={row.name}>
                <th scope="row">{row.name}</th>
                {row.values.map((value, index) => (
                  <td key={trials[index]?.id}>{value}</td>
                ))}
              </tr>
            ))}
            {shown.map((row) => (
              <tr
                key={row.name}
                className={row.differs ? "diff" : undefined}
                data-testid="config-row"
                data-setting={row.name}
              >
                <th scope="row">{row.name}</th>
                {row.values.map((value, index) => (
                  <td key={trials[index]?.id}>{formatParam(value)}</td>
                ))}
              </tr>
            ))}
          </tbody>
        </table>
      </TableScroll>
      <p className={styles.note}>
        Each trial's settings are the study's fixed settings with its own parameters; marked rows
        differ between the trials.
      </p>
    </Card>
  );
}
