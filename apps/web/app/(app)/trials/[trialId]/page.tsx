import type { Metadata } from "next";
import { TrialPage } from "./trial-page.tsx";

export const metadata: Metadata = { title: "Trial" };

export default async function Page({ params }: { params: Promise<{ trialId: string }> }) {
  const { trialId } = await params;
  return <TrialPage trialId={trialId} />;
}
