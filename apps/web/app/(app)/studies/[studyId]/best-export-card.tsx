"use client";
// The best trial's whole configuration (the spec's fixed settings and its parameters), to copy or
// download as JSON or YAML and train with elsewhere.
import { useQuery } from "@tanstack/react-query";
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
import type { Study } from "./study-data.ts";

function download(text: string, fileName: string, type: string) {
  const url = URL.createObjectURL(new Blob([text], { type }));
  const link = document.createElement("a");
  link.href = url;
  link.download = fileName;
  link.click();
  setTimeout(() => URL.revokeObjectURL(url), 0);
}

export function BestExportCard({ study }: { study: Study }) {
  const trpc = useTRPC();
  const [format, setFormat] = useState<ExportFormat>("yaml");
  const best = useQuery({
    ...trpc.studies.exportBest.queryOptions({ studyId: study.id }),
    enabled: study.bestTrialId !== null,
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
          ? `Best configuration${isStudyFinished(study.status) ? "" : " so far"}: trial #${best.data.trialNumber}`
          : "Best configuration"
      }
      testId="best-export"
    >
      {body}
    </Card>
  );
}
