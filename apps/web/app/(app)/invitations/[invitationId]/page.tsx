import type { Metadata } from "next";
import { InvitationView } from "./invitation-view.tsx";

export const metadata: Metadata = { title: "Invitation" };

export default async function InvitationPage({
  params,
}: {
  params: Promise<{ invitationId: string }>;
}) {
  const { invitationId } = await params;
  return <InvitationView invitationId={invitationId} />;
}
