"use client";
// A population-based study's lineage (sampler pbt or pbt-replay): the members as lanes with the
// copies between them, the best member's schedule, and a spec that replays that schedule.
import type { StudySpec } from "@attune/core/spec";
import { useQuery } from "@tanstack/react-query";
import { stringify } from "yaml";
import { CopyButton } from "~/components/copy-button.tsx";
import { Card, Empty, ErrorNote, Loading } from "~/components/ui.tsx";
import { lineageCopies } from "~/lib/lineage.ts";
import type { AxisParam } from "~/lib/parallel-coordinates.ts";
import { useTRPC } from "~/lib/trpc.tsx";
import { LineageChart } from "./lineage-chart.tsx";
import { ScheduleChart } from "./schedule-chart.tsx";
import styles from "./study.module.css";

export function LineageCard({ studyId, spec }: { studyId: string; spec: StudySpec }) {
  const trpc = useTRPC();
  const lineage = useQuery(trpc.lineage.get.queryOptions({ studyId }));
  if (lineage.error) {
    return (
      <Card title="Lineage" testId="lineage-card">
        <ErrorNote error={lineage.error} />
      </Card>
    );
  }
  if (!lineage.data) {
    return (
      <Card title="Lineage" testId="lineage-card">
        <Loading label="Loading the lineage…" />
      </Card>
    );
  }
  const { members, bestSchedule, bestTrialNumber, changing, replaySpec } = lineage.data;
  const rounds = members.reduce((sum, member) => sum + member.rounds.length, 0);
  const copies = lineageCopies(lineage.data).length;
  const end = spec.budget.stepsPerTrial ?? Math.max(0, ...members.map((member) => member.lastStep));
  return (
    <Card title="Lineage" testId="lineage-card">
      <p
        className={styles.note}
        data-testid="lineage-status"
        data-members={members.length}
        data-rounds={rounds}
        data-copies={copies}
        data-best={bestTrialNumber ?? ""}
      >
        {members.length} members, {copies} {copies === 1 ? "copy" : "copies"} so far. A diamond is a
        round where a member copied the weights and optimizer state of the member its dashed arrow
        comes from; the best member's lane is thicker.
      </p>
      {members.length === 0 ? (
        <Empty>No member has started yet.</Empty>
      ) : (
        <LineageChart lineage={lineage.data} />
      )}
      <h3 className={styles.subhead}>
        {bestTrialNumber === null
          ? "Best member's schedule"
          : `Schedule of the best member, #${bestTrialNumber}`}
      </h3>
      {bestSchedule === null || changing.length === 0 ? (
        <Empty>No member has finished with a result yet.</Empty>
      ) : (
        <>
          <p className={styles.note}>
            The parameters the best member's weights were trained with, step by step: the members it
            copied up to each copy, then its own.
          </p>
          <ScheduleChart
            schedule={bestSchedule}
            settings={changing}
            searchSpace={spec.searchSpace as Record<string, AxisParam>}
            end={end}
          />
        </>
      )}
      {replaySpec !== null && (
        <details className={styles.replay} data-testid="replay-spec">
          <summary>Replay this schedule in a new study (pbt-replay spec)</summary>
          <div className="row">
            <CopyButton text={stringify(replaySpec)} label="Copy YAML" />
          </div>
          <pre className="output">{stringify(replaySpec)}</pre>
        </details>
      )}
    </Card>
  );
}
