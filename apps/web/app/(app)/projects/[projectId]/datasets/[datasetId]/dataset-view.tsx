"use client";
// A dataset's statistics: sizes, the histogram of sample lengths, and the sequence length that
// covers a chosen share of the samples, with what shorter and longer lengths would cost; for
// instruction data, prompt and completion lengths apart and a rendered example.
import { useQuery } from "@tanstack/react-query";
import { useState } from "react";
import { EChart } from "~/components/echart.tsx";
import {
  Card,
  Empty,
  Loading,
  PageError,
  PageHeader,
  projectCrumbs,
  TableScroll,
} from "~/components/ui.tsx";
import { formatShare, lengthHistogramOption } from "~/lib/dataset-stats.ts";
import { formatCount, formatNumber, formatTime, plural } from "~/lib/format.ts";
import { useTeamScope } from "~/lib/team.tsx";
import { type RouterOutputs, useTRPC } from "~/lib/trpc.tsx";
import { formatBytes } from "~/lib/upload.ts";
import styles from "./dataset.module.css";
import { InstructionLengths } from "./instruction-lengths-card.tsx";
import { ModelTokenizers } from "./model-tokenizers-card.tsx";
import { RenderedExample } from "./rendered-example-card.tsx";
import { SequenceLength } from "./sequence-length-card.tsx";

type Dataset = RouterOutputs["datasets"]["get"];
type Statistics = NonNullable<Dataset["statistics"]>;

export function DatasetView({ projectId, datasetId }: { projectId: string; datasetId: string }) {
  const trpc = useTRPC();
  const dataset = useQuery(trpc.datasets.get.queryOptions({ datasetId }));
  const project = useQuery(trpc.projects.get.queryOptions({ projectId }));
  const { team } = useTeamScope(project.data?.teamId);
  const [markedLength, setMarkedLength] = useState<number | undefined>();
  const crumbs = [...projectCrumbs(project.data, team), { label: dataset.data?.name ?? "…" }];

  if (dataset.error) {
    return <PageError title="Dataset" crumbs={crumbs} error={dataset.error} what="dataset" />;
  }
  if (!dataset.data) return <Loading />;
  const { statistics } = dataset.data;
  // As the API decides: a single sample has no lengths to measure.
  const measurable = (statistics?.samples ?? 0) >= 2;
  const instruction = dataset.data.format === "prompt-completion" || dataset.data.format === "chat";
  return (
    <>
      <PageHeader
        title={dataset.data.name}
        subtitle={`${dataset.data.source === "builtin" ? "Built-in corpus" : "Uploaded from"} ${dataset.data.origin} · ${dataset.data.format} · for ${dataset.data.task} · ${dataset.data.tokenizer} tokenizer · added ${formatTime(dataset.data.createdAt)}`}
        crumbs={crumbs}
      />
      {statistics ? (
        <div className="stack">
          <Figures dataset={dataset.data} statistics={statistics} />
          <ModelTokenizers
            datasetId={datasetId}
            tokenizer={dataset.data.tokenizer}
            ownTokens={statistics.tokens}
            instruction={instruction}
          />
          <div className={styles.columns}>
            <Card title="Sample lengths" testId="length-histogram">
              {measurable ? (
                <>
                  <Percentiles statistics={statistics} />
                  <EChart
                    option={lengthHistogramOption(statistics.sampleTokenLengths, markedLength)}
                    ariaLabel={`Histogram of sample lengths in tokens over ${statistics.samples} samples`}
                    height={300}
                    testId="length-histogram-chart"
                  />
                  {markedLength !== undefined && (
                    <p className="muted small">
                      The highlighted bar holds the recommended sequence length, {markedLength}.
                    </p>
                  )}
                </>
              ) : (
                <p className="muted">
                  One document of {plural(statistics.tokens, "token")}: training reads it in windows
                  of the sequence length, so it has no distribution of sample lengths.
                </p>
              )}
            </Card>
            <SequenceLength
              datasetId={datasetId}
              measurable={measurable}
              onLength={setMarkedLength}
            />
          </div>
          {statistics.labelCounts && <Labels counts={statistics.labelCounts} />}
          {statistics.promptTokenLengths && statistics.completionTokenLengths && (
            <InstructionLengths
              prompt={statistics.promptTokenLengths}
              completion={statistics.completionTokenLengths}
              examples={statistics.samples}
            />
          )}
          {instruction && <RenderedExample datasetId={datasetId} examples={statistics.samples} />}
        </div>
      ) : (
        <Empty>This dataset has no statistics yet.</Empty>
      )}
    </>
  );
}

function Figures({ dataset, statistics }: { dataset: Dataset; statistics: Statistics }) {
  const meanLength = statistics.tokens / Math.max(1, statistics.samples);
  // Each figure with a line on what it counts, so "Vocabulary 90" beside "Tokens used 89" reads.
  const figures: [string, string, string][] = [
    [
      "Samples",
      formatCount(statistics.samples),
      "Texts the dataset holds: lines, records or documents.",
    ],
    ["Tokens", formatCount(statistics.tokens), "All samples, split by the dataset's tokenizer."],
    ["Characters", formatCount(statistics.characters), "Unicode characters of all samples."],
    [
      "Vocabulary",
      formatCount(statistics.vocabularySize),
      "Tokens the tokenizer knows: the rows of the model's embedding.",
    ],
    ...(statistics.distinctTokens === undefined
      ? []
      : ([
          [
            "Tokens used",
            formatCount(statistics.distinctTokens),
            "Distinct vocabulary tokens that occur in the samples.",
          ],
        ] as [string, string, string][])),
    [
      "Mean tokens per sample",
      meanLength >= 1e4 ? formatCount(meanLength) : formatNumber(meanLength),
      "Tokens divided by samples; the histogram below shows the spread.",
    ],
    ...(dataset.source === "upload"
      ? ([["Size", formatBytes(dataset.sizeBytes), "The uploaded file."]] as [
          string,
          string,
          string,
        ][])
      : []),
  ];
  return (
    <div className="stats" data-testid="dataset-figures">
      {figures.map(([label, value, meaning]) => (
        <div className="stat" key={label}>
          <div className="label">{label}</div>
          <div className="value">{value}</div>
          <div className={styles.meaning}>{meaning}</div>
        </div>
      ))}
    </div>
  );
}

function Percentiles({ statistics }: { statistics: Statistics }) {
  const percentiles = statistics.sampleTokenLengthPercentiles;
  if (!percentiles) return null;
  return (
    <dl className={styles.percentiles}>
      {(
        [
          ["median", percentiles.p50],
          ["90th", percentiles.p90],
          ["95th", percentiles.p95],
          ["99th", percentiles.p99],
          ["longest", percentiles.max],
        ] as const
      ).map(([label, value]) => (
        <div key={label}>
          <dt>{label}</dt>
          <dd>{formatCount(value)}</dd>
        </div>
      ))}
    </dl>
  );
}

function Labels({ counts }: { counts: Record<string, number> }) {
  const total = Object.values(counts).reduce((sum, count) => sum + count, 0);
  return (
    <Card title="Labels">
      <TableScroll label="Samples per label">
        <table className="data">
          <thead>
            <tr>
              <th>Label</th>
              <th className="num">Samples</th>
              <th className="num">Share</th>
            </tr>
          </thead>
          <tbody>
            {Object.entries(counts).map(([label, count]) => (
              <tr key={label}>
                <td>{label}</td>
                <td className="num">{formatCount(count)}</td>
                <td className="num">{formatShare(count / Math.max(1, total))}</td>
              </tr>
            ))}
          </tbody>
        </table>
      </TableScroll>
    </Card>
  );
}
