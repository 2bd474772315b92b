import type { Metadata } from "next";
import { TeamView } from "./team-view.tsx";

export const metadata: Metadata = { title: "Projects" };

export default async function TeamPage({ params }: { params: Promise<{ teamId: string }> }) {
  const { teamId } = await params;
  return <TeamView teamId={teamId} />;
}
