"use client";
// The whole training configuration of the trial, each setting marked searched, fixed or default,
// with a copy of it as JSON.
import type { StudySpec } from "@attune/core/spec";
import { useState } from "react";
import { CopyButton } from "~/components/copy-button.tsx";
import { Card, TableScroll } from "~/components/ui.tsx";
import { formatParam } from "~/lib/format.ts";
import { configJson, type SettingSource, trialConfigRows } from "~/lib/trial-config.ts";
import type { TrialView } from "~/lib/trial-timeline.ts";
import styles from "./trial.module.css";

const SOURCE_LABELS: Record<Exclude<SettingSource, "searched">, string> = {
  fixed: "fixed by the study",
  default: "trainer default",
};

export function ConfigCard({ trial, spec }: { trial: TrialView; spec: StudySpec }) {
  const [showJson, setShowJson] = useState(false);
  const rows = trialConfigRows({
    fixed: spec.fixed,
    searchSpace: spec.searchSpace,
    params: trial.params,
    resolved: trial.settings.ok ? trial.settings.values : undefined,
  });
  const json = configJson(rows);

  return (
    <Card
      title="Configuration"
      testId="trial-config"
      actions={
        <>
          <CopyButton text={json} label="Copy as JSON" />
          <button
            type="button"
            className="button ghost small"
            aria-pressed={showJson}
            onClick={() => setShowJson(!showJson)}
          >
            Show as JSON
          </button>
        </>
      }
    >
      {!trial.settings.ok && (
        <p className="error" role="alert">
          The trainer cannot train with these settings: {trial.settings.error}
        </p>
      )}
      <p className="muted">
        The study's fixed settings merged with the trial's sampled parameters; the trainer's
        defaults fill in the rest.
      </p>
      {showJson ? (
        <pre className="output" data-testid="config-json">
          {json}
        </pre>
      ) : (
        <TableScroll label="The trial's settings" className={styles.configTable}>
          <table className="data">
            <thead>
              <tr>
                <th scope="col">Setting</th>
                <th scope="col">Value</th>
                <th scope="col">Source</th>
              </tr>
            </thead>
            <tbody>
              {rows.map((row) => (
                <tr
                  key={row.name}
                  className={row.source === "searched" ? styles.searched : undefined}
                  data-testid={`config-${row.name}`}
                  data-source={row.source}
                >
                  <th scope="row" className={styles.settingName}>
                    {row.name}
                  </th>
                  <td title={JSON.stringify(row.value)}>{formatParam(row.value)}</td>
                  <td className={row.source === "default" ? "muted" : undefined}>
                    {row.source === "searched" ? (
                      <>
                        <span className="badge">searched</span>
                        {row.domain && <span className="muted"> {row.domain}</span>}
                      </>
                    ) : (
                      SOURCE_LABELS[row.source]
                    )}
                  </td>
                </tr>
              ))}
            </tbody>
          </table>
        </TableScroll>
      )}
    </Card>
  );
}
