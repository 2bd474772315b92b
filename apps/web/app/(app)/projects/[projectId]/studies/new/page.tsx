import type { Metadata } from "next";
import { NewStudyPage } from "./new-study.tsx";

export const metadata: Metadata = { title: "New study" };

export default async function Page({ params }: { params: Promise<{ projectId: string }> }) {
  const { projectId } = await params;
  return <NewStudyPage projectId={projectId} />;
}
