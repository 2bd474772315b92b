"use client";
// The project's studies on this dataset that start from a model. The tokenizer comes from the
// model: each of their trials re-tokenizes the dataset with the model's tokenizer (and renders
// instruction data with the model's chat template), so the dataset's size in tokens is the one
// under that tokenizer, counted by the API from the model's tokenizer files.
import { useQuery } from "@tanstack/react-query";
import Link from "next/link";
import { Card, DataTable, ErrorNote, StateBadge } from "~/components/ui.tsx";
import { formatCount } from "~/lib/format.ts";
import { type RouterOutputs, useTRPC } from "~/lib/trpc.tsx";

type StudyFromModel = RouterOutputs["datasets"]["studiesFromModels"][number];

export function ModelTokenizers({
  datasetId,
  tokenizer,
  ownTokens,
  instruction,
}: {
  datasetId: string;
  /** The dataset's own tokenizer, which studies from scratch use. */
  tokenizer: string;
  ownTokens: number;
  /** Prompt/completion or chat data, rendered with a chat template. */
  instruction: boolean;
}) {
  const trpc = useTRPC();
  const studies = useQuery(trpc.datasets.studiesFromModels.queryOptions({ datasetId }));
  if (studies.error) {
    return (
      <Card title="Studies that re-tokenize this dataset" testId="model-tokenizers">
        <ErrorNote error={studies.error} />
      </Card>
    );
  }
  // Only studies that start from a model read the dataset other than this page says.
  if (!studies.data || studies.data.length === 0) return null;
  return (
    <Card title="Studies that re-tokenize this dataset" testId="model-tokenizers">
      <p className="muted small">
        These studies start from a model, and the tokenizer comes from the model: their trials
        re-tokenize this dataset with the model&apos;s tokenizer instead of its own {tokenizer}{" "}
        tokenizer ({formatCount(ownTokens)} tokens)
        {instruction && ", each example rendered with the model's chat template"}.
      </p>
      <DataTable
        caption="Studies on this dataset that start from a model, with its tokenizer"
        head={
          <>
            <th>Study</th>
            <th>Model</th>
            <th className="num">Vocabulary</th>
            <th className="num">Tokens</th>
          </>
        }
      >
        {studies.data.map((row) => (
          <tr key={row.study.id} data-testid="model-tokenizer-row">
            <td>
              <Link href={`/studies/${row.study.id}`}>{row.study.name}</Link>{" "}
              <StateBadge state={row.study.status} />
            </td>
            <ModelCells datasetId={datasetId} row={row} />
          </tr>
        ))}
      </DataTable>
    </Card>
  );
}

/** The model's name, its tokenizer's vocabulary and the dataset's tokens under it. */
function ModelCells({ datasetId, row }: { datasetId: string; row: StudyFromModel }) {
  const trpc = useTRPC();
  const { model } = row;
  // One count per model: studies of the same model share the query.
  const counted = useQuery({
    ...trpc.datasets.tokensUnderModel.queryOptions({ datasetId, model: model?.id ?? "" }),
    enabled: model?.status === "ready",
    staleTime: Number.POSITIVE_INFINITY,
  });
  if (model === null) {
    return (
      <td colSpan={3} className="muted">
        The project has no model &ldquo;{row.modelReference}&rdquo; any more.
      </td>
    );
  }
  const name = <td>{model.name}</td>;
  if (model.status !== "ready") {
    return (
      <>
        {name}
        <td colSpan={2}>
          <StateBadge state={model.status} />
        </td>
      </>
    );
  }
  if (counted.error) {
    return (
      <>
        {name}
        <td colSpan={2} className="error small">
          {counted.error.message}
        </td>
      </>
    );
  }
  return (
    <>
      {name}
      <td className="num">{counted.data ? formatCount(counted.data.vocabularySize) : "…"}</td>
      <td className="num" aria-busy={counted.isPending}>
        {counted.data ? formatCount(counted.data.tokens) : "counting…"}
      </td>
    </>
  );
}
