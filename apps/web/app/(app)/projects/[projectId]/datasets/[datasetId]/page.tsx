import type { Metadata } from "next";
import { DatasetView } from "./dataset-view.tsx";

export const metadata: Metadata = { title: "Dataset" };

export default async function DatasetPage({
  params,
}: {
  params: Promise<{ projectId: string; datasetId: string }>;
}) {
  const { projectId, datasetId } = await params;
  return <DatasetView projectId={projectId} datasetId={datasetId} />;
}
