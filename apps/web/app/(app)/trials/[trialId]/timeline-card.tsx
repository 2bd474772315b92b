"use client";
// The trial's history, as far as the database records it.
import { Card } from "~/components/ui.tsx";
import { formatTime } from "~/lib/format.ts";
import { type TrialView, trialTimeline } from "~/lib/trial-timeline.ts";
import styles from "./trial.module.css";

export function TimelineCard({ trial }: { trial: TrialView }) {
  const events = trialTimeline(trial);
  return (
    <Card title="Timeline" testId="trial-timeline">
      <ol className={styles.timeline}>
        {events.map((event) => (
          <li
            key={`${event.kind}-${event.title}-${event.at?.getTime() ?? "undated"}`}
            className={`${styles.event} ${styles[`event-${event.kind}`] ?? ""}`}
            aria-current={event.current ? "step" : undefined}
          >
            <span className={styles.eventTitle}>{event.title}</span>
            {event.detail && <span className={styles.eventDetail}>{event.detail}</span>}
            <time className="muted" dateTime={event.at?.toISOString()}>
              {event.at
                ? `${event.current ? "since " : ""}${formatTime(event.at)}`
                : "time not recorded"}
            </time>
          </li>
        ))}
      </ol>
      <p className="muted small">
        From the trial's recorded times and the team's audit log. Pauses and promotions by the
        pruner, and restarts after a lost runner, are not recorded one by one.
      </p>
    </Card>
  );
}
