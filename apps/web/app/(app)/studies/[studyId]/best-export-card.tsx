"use client";
// The best trial's whole configuration (the spec's fixed settings and its parameters), to copy or
// download as JSON or YAML and train with elsewhere.
import { keepPreviousData, useQuery } from "@tanstack/react-query";
import { type ReactNode, useState } from "react";
import { CopyButton } from "~/components/copy-button.tsx";
import { Card, Empty, ErrorNote, Loading } from "~/components/ui.tsx";
import {
  type ExportFormat,
  exportFileName,
  exportMimeType,
  exportText,
} from "~/lib/best-export.ts";
import { isStudyFinished } from "~/lib/study-live.ts";
import { useTRPC } from "~/lib/trpc.tsx";
import { FrontPicker } from "./front-picker.tsx";
import type { FrontTrial, Study } from "./study-data.ts";

function download(text: string, fileName: string, type: string) {
  const url = URL.createObjectURL(new Blob([text], { type }));
  const link = document.createElement("a");
  link.href = url;
  link.download = fileName;
  link.click();
  setTimeout(() => URL.revokeObjectURL(url), 0);
}

export function BestExportCard({
  study,
  front,
}: {
  study: Study;
  /** The Pareto front so far, in a study of several objectives: any of it can be exported. */
  front: readonly FrontTrial[] | undefined;
}) {
  const trpc = useTRPC();
  const [format, setFormat] = useState<ExportFormat>("yaml");
  // The study's best unless a trial still on the front was picked (the front moves as trials end).
  const [picked, setPicked] = useState<number>();
  const trialNumber = front?.some((trial) => trial.number === picked) ? picked : undefined;
  const best = useQuery({
    ...trpc.studies.exportBest.queryOptions({ studyId: study.id, trialNumber }),
    enabled: study.bestTrialId !== null,
    placeholderData: keepPreviousData,
  });

  let body: ReactNode;
  if (study.bestTrialId === null) {
    body = <Empty>No trial has finished with a result yet.</Empty>;
  } else if (best.error) {
    body = <ErrorNote error={best.error} />;
  } else if (!best.data) {
    body = <Loading />;
  } else {
    const text = exportText(best.data, format);
    const fileName = exportFileName(study.name, best.data.trialNumber, format);
    body = (
      <>
        <div className="row">
          {front && front.length > 1 && (
            <FrontPicker
              front={front}
              objectives={best.data.objectives.map((objective) => objective.metric)}
              value={best.data.trialNumber}
              onChange={setPicked}
            />
          )}
          {/* biome-ignore lint/a11y/useSemanticElements: a group of toggle buttons, not a form field set */}
          <div className="segmented" role="group" aria-label="Format">
            {(["yaml", "json"] as const).map((option) => (
              <button
                key={option}
                type="button"
                aria-pressed={format === option}
                onClick={() => setFormat(option)}
              >
                {option.toUpperCase()}
              </button>
            ))}
          </div>
          <CopyButton text={text} label={`Copy ${format.toUpperCase()}`} />
          <button
            type="button"
            className="button secondary small"
            onClick={() => download(text, fileName, exportMimeType(format))}
            data-testid="download-best"
            title={fileName}
          >
            Download {format.toUpperCase()}
          </button>
        </div>
        <pre className="output" data-testid="best-config">
          {text}
        </pre>
      </>
    );
  }
  return (
    <Card
      title={
        best.data
          ? `${best.data.isBest ? "Best configuration" : "Configuration"}${isStudyFinished(study.status) ? "" : " so far"}: trial #${best.data.trialNumber}`
          : "Best configuration"
      }
      testId="best-export"
    >
      {body}
    </Card>
  );
}
